"""The web-copy check: find the Internet pages a text was copied from.

Source retrieval as the PAN plagiarism-detection systems do it, over the archive
engine's own normalisation, index and passage alignment (no second aligner):

- ``queries``: cut the text into chunks, pick each chunk's most distinctive
  syllable phrases (IDF from the archive index), a bounded number of queries;
- ``providers``: SearXNG's or Google Programmable Search's JSON API behind one
  interface;
- ``fetch``: downloads with timeouts, a size cap, content-type checks and an
  address guard (no private, loopback, link-local or metadata address, at any
  redirect hop), main text extracted with trafilatura;
- ``retrieval``: the loop tying them together, skipping chunks a page already
  found covers, within the query and download budgets.

Plain Python (httpx, trafilatura); the Django layer is ``dedup.services``.
"""
