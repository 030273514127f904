"""The outbound flow: a shop's sales pushed to its warehouse, its customers' sales invoiced."""
