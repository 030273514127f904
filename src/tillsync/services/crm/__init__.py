"""The CRM connection and the invoices of customer sales (seed 003)."""
