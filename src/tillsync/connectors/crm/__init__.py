"""The business's own CRM (seed 003): paid invoices for customer sales."""
