"""Drives a fixed mix of django-helpdesk's own pages through its own views (Benchmarks/advise-orm.sh).

Usage: DJANGO_SETTINGS_MODULE=settings python drive.py REQUESTS [SEED] [WORKLOAD.sql]
Requests go through Django's test client into helpdesk's URLconf, views, ORM and templates, in
process: only the database is real (the benchmark's private PostgreSQL). The same seed gives the
same pages with the same parameters, so a run before and after an index set does the same work.
Prints the page counts and any status other than 200. With WORKLOAD.sql it also writes every SELECT
the pages ran, one text with its literals per statement Django built (its SQL before the values are
bound) and `-- calls: N` before it: the workload file an advisor that needs literal SQL reads.
"""
import collections
import random
import sys

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from helpdesk.models import KBCategory, KBItem, Queue, Ticket  # noqa: E402
from helpdesk.query import query_to_base64  # noqa: E402

# (page, weight): a staff member's day — the dashboard and ticket lists most, single tickets,
# the public ticket view and the knowledge base, the RSS feeds a client polls.
MIX = (
    ("dashboard", 12), ("list_queue_open", 14), ("list_mine", 8), ("list_unassigned_by_priority", 4),
    ("ticket", 20), ("public_ticket", 10), ("my_tickets_api", 6), ("kb_index", 3), ("kb_category", 5),
    ("rss_user", 4), ("rss_queue", 4), ("rss_unassigned", 3), ("rss_activity", 3), ("list_search", 1),
)


def datatables(client, query):
    return client.get(f"/helpdesk/datatables_ticket_list/{query_to_base64(query)}",
                      {"draw": "1", "start": "0", "length": "25"})


class StatementLog:
    """Django's execute wrapper: counts each statement template and keeps its first bound text."""

    def __init__(self):
        self.calls, self.texts = collections.Counter(), {}

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and not many:
            self.calls[sql] += 1
            if sql not in self.texts:
                self.texts[sql] = context["cursor"].cursor.mogrify(sql, params).decode()
        return execute(sql, params, many, context)

    def write(self, path):
        with open(path, "w") as out:
            for sql, calls in self.calls.most_common():
                out.write(f"-- calls: {calls}\n{' '.join(self.texts[sql].split())};\n")


def main(requests, seed, workload_path=None):
    log = StatementLog()
    if workload_path:
        connection.execute_wrappers.append(log)
    rng = random.Random(seed)
    User = get_user_model()
    staff = list(User.objects.filter(is_staff=True).order_by("id"))
    queues = list(Queue.objects.order_by("id"))
    categories = list(KBCategory.objects.order_by("id"))
    max_ticket = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
    clients = {}

    def client_for(user):
        if user.id not in clients:
            c = Client()
            c.force_login(user)
            clients[user.id] = c
        return clients[user.id]

    pages, weights = zip(*MIX)
    counts, failures = collections.Counter(), collections.Counter()
    for _ in range(requests):
        page = rng.choices(pages, weights)[0]
        # a few agents do most of the work, as the ticket assignment in generate.py
        user = staff[min(len(staff) - 1, int(rng.expovariate(0.08)))]
        c = client_for(user)
        queue = queues[min(len(queues) - 1, int(rng.expovariate(0.25)))]
        if page == "dashboard":
            r = c.get("/helpdesk/dashboard/")
        elif page == "list_queue_open":
            r = datatables(c, {"filtering": {"status__in": [1, 2], "queue__id__in": [queue.id]},
                               "sorting": "created", "sortreverse": True, "search_string": ""})
        elif page == "list_mine":
            r = datatables(c, {"filtering": {"status__in": [1, 2, 6], "assigned_to__id__in": [user.id]},
                               "sorting": "created", "sortreverse": True, "search_string": ""})
        elif page == "list_unassigned_by_priority":
            r = datatables(c, {"filtering": {"status__in": [1, 2]}, "filtering_null": {"assigned_to__id__isnull": True},
                               "sorting": "priority", "search_string": ""})
        elif page == "list_search":
            r = datatables(c, {"filtering": {"status__in": [1, 2]}, "sorting": "created", "sortreverse": True,
                               "search_string": rng.choice(("vpn outage", "expired certificate", "refund"))})
        elif page == "ticket":
            # recent tickets are looked at far more than old ones
            r = c.get(f"/helpdesk/tickets/{max(1, max_ticket - int(rng.expovariate(1 / 3000)))}/")
        elif page == "public_ticket":
            t = Ticket.objects.filter(id=rng.randint(1, max_ticket)).select_related("queue").first()
            r = Client().get("/helpdesk/view/", {"ticket": t.ticket_for_url, "email": t.submitter_email.upper(),
                                                 "key": t.secret_key})
        elif page == "my_tickets_api":
            r = c.get("/helpdesk/api/user_tickets/")
        elif page == "kb_index":
            r = c.get("/helpdesk/kb/")
        elif page == "kb_category":
            r = c.get(f"/helpdesk/kb/{rng.choice(categories).slug}/")
        elif page == "rss_user":
            r = c.get(f"/helpdesk/rss/user/{user.username}/")
        elif page == "rss_queue":
            r = c.get(f"/helpdesk/rss/queue/{queue.slug}/")
        elif page == "rss_unassigned":
            r = c.get("/helpdesk/rss/unassigned/")
        else:
            r = c.get("/helpdesk/rss/recent_activity/")
        counts[page] += 1
        if r.status_code != 200:
            failures[(page, r.status_code)] += 1
    if workload_path:
        log.write(workload_path)
    print("pages:", dict(sorted(counts.items())))
    if failures:
        print("not 200:", dict(failures))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1, sys.argv[3] if len(sys.argv) > 3 else None)
