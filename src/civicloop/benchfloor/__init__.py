"""Framework floors for bench/run.py: the cheapest views Django can serve on the same server and
database as the product, so that each endpoint's throughput is judged against them.

Mounted at /bench/floor/ only when CIVICLOOP_BENCH=1 (see civicloop/urls.py)."""
