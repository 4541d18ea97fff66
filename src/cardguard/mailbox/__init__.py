"""The holder's own mailbox: connect it (IMAP, read-only), judge card-company mail where it lands,
watch for new mail, and scan exported mailboxes."""
