"""Naive advice for advise-orm.sh: one B-tree on every column a workload statement compares or sorts on.

Usage: python naive_indexes.py WORKLOAD.sql PORT DB  (WORKLOAD.sql: the file drive.py writes)
Prints one CREATE INDEX per (table, column) found in a comparison (`=`, `<`, `IN`, `LIKE`, `IS`,
…) or an ORDER BY list, resolving Django's table aliases (`"helpdesk_ticket" T3`). Columns named
`id` and columns that already lead an index (a primary key or unique constraint) are skipped.
"""
import re
import sys

import psycopg2

REF = r'(?:"(\w+)"|(\b[A-Z]\d+\b))\."(\w+)"'
OPERATOR = r'\s*(?:=|<>|!=|<=|>=|<|>|\bIN\b|\bLIKE\b|\bILIKE\b|\bIS\b|\bBETWEEN\b)'
found = []
for statement in open(sys.argv[1]).read().split(";\n"):
    aliases = dict((alias, table) for table, alias in re.findall(r'"(\w+)" (\b[A-Z]\d+\b)', statement))
    refs = [m for m in re.finditer(REF + OPERATOR, statement)]
    refs += [m for m in re.finditer(r'(?:=|<|>)\s*' + REF, statement)]
    for clause in re.findall(r'ORDER BY (.*?)(?: LIMIT| OFFSET|\)|$)', statement):
        refs += list(re.finditer(REF, clause))
    for m in refs:
        table = m.group(1) or aliases.get(m.group(2))
        column = m.group(3)
        if table and column != "id" and (table, column) not in found:
            found.append((table, column))
leading = set()
with psycopg2.connect(host="127.0.0.1", port=sys.argv[2], dbname=sys.argv[3], user="postgres") as db, db.cursor() as cur:
    cur.execute("""SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]""")
    leading = set(cur.fetchall())
for table, column in found:
    if (table, column) not in leading:
        print(f'CREATE INDEX ON "{table}" ("{column}");')
