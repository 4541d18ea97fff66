"""The holder's own mailbox: connect it (IMAP, read-only), judge card-company mail where it lands,
watch for new mail, and scan exported mailboxes."""

# What is read of a message's header to decide whether to read it whole (IMAP, exports alike): the
# largest real header in the phishing corpus is 123 KB; a sender can write any size.
HEAD_LIMIT = 1_000_000
