"""Reading a voucher: the text as read, the fields drawn from it, and its comparison with what
the seller declared. Pure: the reading adapter supplies the text."""
