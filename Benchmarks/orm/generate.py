"""Fills the helpdesk database through django-helpdesk's own models (Benchmarks/advise-orm.sh).

Usage: DJANGO_SETTINGS_MODULE=settings python generate.py TICKETS
Deterministic (seeded): 20 queues, 60 staff users, TICKETS tickets from 8,000 submitter addresses
(one in four tickets from a staff user's address), 3 follow-ups per ticket on average with a
TicketChange on a third of them, 30 knowledge-base categories with 40 items each. Statuses follow a
helpdesk's life: most tickets closed or resolved, a tenth open, few reopened; a fifth unassigned.
"""
import random
import sys
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sites.models import Site  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from helpdesk.models import (  # noqa: E402
    FollowUp, KBCategory, KBItem, Queue, Ticket, TicketChange,
)

WORDS = ("printer email login password vpn laptop invoice refund access account error crash slow "
         "network update install license backup restore server outage phone screen keyboard "
         "payroll report export import calendar meeting storage quota certificate expired").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def main(tickets):
    rng = random.Random(20)
    now = timezone.now()
    User = get_user_model()
    Site.objects.update_or_create(id=1, defaults={"domain": "helpdesk.test", "name": "helpdesk"})
    with transaction.atomic():
        # one at a time: helpdesk's post_save signal gives each user its UserSettings
        staff = [User.objects.create(username=f"agent{i}", email=f"agent{i}@helpdesk.test", is_staff=True,
                                     password="md5$bench$unused") for i in range(60)]
        queues = Queue.objects.bulk_create([
            Queue(title=f"Queue {i}", slug=f"queue-{i}", email_address=f"queue{i}@helpdesk.test",
                  allow_public_submission=(i % 4 == 0)) for i in range(20)])
        categories = KBCategory.objects.bulk_create([
            KBCategory(name=f"cat{i}", title=f"Category {i}", slug=f"cat-{i}", description=sentence(rng, 12),
                       queue=queues[i % 20], public=(i % 3 != 0)) for i in range(30)])
        KBItem.objects.bulk_create([
            KBItem(category=categories[i % 30], title=sentence(rng, 5), question=sentence(rng, 20),
                   answer=sentence(rng, 60), last_updated=now - timedelta(days=i % 700), votes=rng.randint(0, 50), recommendations=rng.randint(0, 50),
                   enabled=(i % 10 != 0)) for i in range(1200)])
    submitters = [f"customer{i}@example.test" for i in range(8000)]
    start = now - timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    made = 0
    while made < tickets:
        batch = min(5000, tickets - made)
        with transaction.atomic():
            rows, dates = [], []
            for _ in range(batch):
                created = start + timedelta(seconds=span * (rng.random() ** 0.5))
                age_days = (now - created).days
                roll = rng.random()
                if age_days < 30 and roll < 0.5:
                    status = Ticket.OPEN_STATUS
                elif roll < 0.04:
                    status = Ticket.OPEN_STATUS
                elif roll < 0.06:
                    status = Ticket.REOPENED_STATUS
                elif roll < 0.5:
                    status = Ticket.CLOSED_STATUS
                elif roll < 0.97:
                    status = Ticket.RESOLVED_STATUS
                else:
                    status = Ticket.DUPLICATE_STATUS
                submitter = (rng.choice(staff).email if rng.random() < 0.25 else rng.choice(submitters))
                rows.append(Ticket(
                    title=sentence(rng, 6), queue=queues[min(19, int(rng.expovariate(0.25)))],
                    submitter_email=submitter,
                    assigned_to=None if rng.random() < 0.2 else staff[min(59, int(rng.expovariate(0.08)))],
                    status=status, priority=rng.choice((1, 2, 3, 3, 3, 4, 5)),
                    description=sentence(rng, 40),
                    resolution=sentence(rng, 10) if status in (3, 4) else "",
                    on_hold=rng.random() < 0.02))
                dates.append((created, created + timedelta(hours=rng.randint(1, 400))))
            made_tickets = Ticket.objects.bulk_create(rows)
            # `created` is auto_now_add and `modified` auto_now: bulk_create stamps both with now, so the
            # history is written back with bulk_update (which keeps the values it is given).
            for t, (created, modified) in zip(made_tickets, dates):
                t.created, t.modified = created, modified
            Ticket.objects.bulk_update(made_tickets, ["created", "modified"], batch_size=1000)
            followups = []
            for t in made_tickets:
                for k in range(rng.choice((1, 2, 3, 3, 4, 5))):
                    followups.append(FollowUp(
                        ticket=t, date=min(now, t.created + timedelta(hours=k * rng.randint(1, 48))),
                        title=sentence(rng, 4), comment=sentence(rng, 25), public=rng.random() < 0.7,
                        user=rng.choice(staff) if rng.random() < 0.8 else None,
                        new_status=t.status if k > 0 and rng.random() < 0.3 else None))
            made_followups = FollowUp.objects.bulk_create(followups)
            TicketChange.objects.bulk_create([
                TicketChange(followup=f, field="status", old_value="Open", new_value="Resolved")
                for f in made_followups if rng.random() < 0.33])
        made += batch
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"{Ticket.objects.count()} tickets, {FollowUp.objects.count()} follow-ups, "
          f"{TicketChange.objects.count()} changes, {KBItem.objects.count()} KB items")


if __name__ == "__main__":
    main(int(sys.argv[1]))
