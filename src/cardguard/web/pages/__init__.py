"""One module per page, each with its own APIRouter. A new page (the Mail page, say) is a module here
with a `router`, added to ROUTERS: the app includes every router listed."""

from cardguard.web.pages import auth, call, cards, check, home, incidents, mail, reissue, statements

ROUTERS = [home.router, auth.router, check.router, call.router, cards.router, reissue.router, incidents.router,
           mail.router, statements.router]
