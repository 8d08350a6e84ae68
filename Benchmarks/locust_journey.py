"""The journey of Benchmarks/load-vs-wrk.sh for Locust's FastHttpUser (the reference for journey mode).

Same shape as the surge journey: 4 steps, a status + JSON check, a JSON extraction used by the next
step, and a Zipf feeder over product ids 1..1000 (exponent 1.1, seeded), closed loop with no think time.
Run: locust -f Benchmarks/locust_journey.py --headless -u 64 -r 64 -t 15s --host http://127.0.0.1:PORT
"""
import bisect
import itertools
import random

from locust import FastHttpUser, constant, task

PRODUCTS = 1000
EXPONENT = 1.1
_CUMULATIVE = list(itertools.accumulate(1.0 / (k ** EXPONENT) for k in range(1, PRODUCTS + 1)))
_RANDOM = random.Random(7)


def zipf_product():
    """Rank k with weight 1/k^exponent, as surge's `pick: zipf` feeder."""
    point = _RANDOM.random() * _CUMULATIVE[-1]
    return bisect.bisect_left(_CUMULATIVE, point) + 1


class FourSteps(FastHttpUser):
    wait_time = constant(0)

    @task
    def journey(self):
        product = zipf_product()
        with self.client.get("/small.txt", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
        with self.client.get(f"/item.json?p={product}", name="/item.json?p=[product]", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            try:
                document = response.json()
            except ValueError:
                response.failure("body is not JSON")
                return
            if str(document.get("name")) != "widget" or "id" not in document:
                response.failure("check failed: $.name != widget or no $.id")
                return
            item_id = document["id"]
        with self.client.get(f"/small.txt?id={item_id}", name="/small.txt?id=[id]", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
        with self.client.get("/item.json", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
