"""Query budgets shared by the page query-count guards.

Every page an officer sees after login shows the inbox badge in the navigation:
one COUNT query, the same whatever the number of records, so it is added to each
page's budget rather than hidden in it.
"""
INBOX_BADGE = 1
