"""The holder's own mailbox: connect it (IMAP, read-only), judge card-company mail where it lands,
watch for new mail, and scan exported mailboxes."""

import re

# What is read of a message's header to decide whether to read it whole (IMAP, exports alike): the
# largest real header in the phishing corpus is 123 KB; a sender can write any size.
HEAD_LIMIT = 1_000_000
# The blank line that ends a header, CRLF or LF: `\r?\n\r?\n` as two alternatives, so that `re` skips
# to the next CR or LF (with the CR optional it tried every byte of every header).
HEADER_END = re.compile(rb"\r\n\r?\n|\n\r?\n")
