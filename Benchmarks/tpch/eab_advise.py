"""Index-EAB's Extend algorithm (PyPI `index-eab` 0.1.0) on a workload file, for advise-tpch.sh and advise-orm.sh.

Prints one `CREATE INDEX` per index it selects. Usage: python eab_advise.py PORT DB QUERIES.sql
The package's documented workflow: schema → columns, queries as [id, text, frequency] rows,
ExtendAlgorithm(connector, {"budget_MB", "max_index_width", "max_indexes", "constraint"}).
"""
import re
import sys

from index_eab.eab_utils.common_utils import get_columns_from_schema, read_row_query
from index_eab.eab_utils.postgres_dbms import PostgresDatabaseConnector
from index_eab.eab_utils.workload import Workload
from index_eab.index_advisor.extend_algorithm import ExtendAlgorithm

port, db, queries_path = sys.argv[1], sys.argv[2], sys.argv[3]
connector = PostgresDatabaseConnector(autocommit=True, host="127.0.0.1", port=port, db_name=db, user="postgres", password=None)
# Its setup drops every index not named *_pkey, which fails on an index that backs a unique
# constraint (an ORM schema's). The benchmarks call it with only keys and unique constraints left.
connector.drop_indexes = lambda: None
# It writes column names unquoted into hypopg_create_index (a column named `order` fails): quote them.
connector._simulate_index = lambda index: connector.exec_fetch(
    f"select * from hypopg_create_index('create index on {index.table()} ({quoted(index)})')")


def quoted(index):
    return ",".join(f'"{column.name}"' for column in index.columns)


rows = connector.exec_fetch("""
    SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), c.reltuples::bigint
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum""", one=False)
schema = {}
for table, column, kind, reltuples in rows:
    schema.setdefault(table, {"table": table, "rows": reltuples, "columns": []})["columns"].append({"name": column, "type": kind})
_, columns = get_columns_from_schema(list(schema.values()))

text = open(queries_path).read()
work = []
for n, block in enumerate(re.split(r"^-- calls: ", text, flags=re.M)[1:]):
    calls, sql = block.split("\n", 1)
    work.append([n, sql.strip().rstrip(";"), int(calls)])
workload = Workload(read_row_query(work, columns, varying_frequencies=True))
advisor = ExtendAlgorithm(connector, {"budget_MB": 500, "max_index_width": 2, "max_indexes": 15, "constraint": "storage"})
for index in advisor.calculate_best_indexes(workload, columns=columns):
    print(f"CREATE INDEX ON {index.table()} ({quoted(index)});")
