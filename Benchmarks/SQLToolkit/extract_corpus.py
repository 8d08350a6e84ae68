#!/usr/bin/env python3
"""Writes the statement corpus for sql-toolkit.sh: NUL-separated records `workload<TAB>sql`.

Workloads: TPC-H (Benchmarks/tpch/queries.sql), the store's migrations, the store's own statements
(the SQL string literals in Storefront, Database and Telemetry, interpolations `\\(…)` as the bind parameters they become),
and the advisor's test workloads (the SQL literals in Tests/AdvisorTests)."""
import pathlib, re, sys

root = pathlib.Path(sys.argv[1])
out = []

def split_script(text):
    # Benchmarks' and migrations' scripts hold no semicolon inside literals except in $$ bodies.
    parts, current, in_dollar = [], [], False
    for line in text.splitlines():
        if line.strip().startswith('--') and not current:
            continue
        current.append(line)
        if line.count('$$') % 2 == 1:
            in_dollar = not in_dollar
        if not in_dollar and line.rstrip().endswith(';'):
            parts.append('\n'.join(current).rstrip().rstrip(';'))
            current = []
    if ''.join(current).strip():
        parts.append('\n'.join(current))
    return [p.strip() for p in parts if p.strip()]

for sql in split_script((root / 'Benchmarks/tpch/queries.sql').read_text()):
    out.append(('tpch', sql))
for path in sorted((root / 'Sources/Database/Migrations').glob('*.sql')):
    for sql in split_script(path.read_text()):
        out.append(('migrations', sql))

START = re.compile(r'^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|SET|PREPARE|EXPLAIN|COPY|LISTEN|NOTIFY|BEGIN|COMMIT|ROLLBACK|ANALYZE|VACUUM|TRUNCATE|DO)\b', re.I)

def literals(text):
    for match in re.finditer(r'"""\n(.*?)\n\s*"""|(?<!")"((?:[^"\\\n]|\\.)*)"', text, re.S):
        body = match.group(1) if match.group(1) is not None else match.group(2)
        if match.group(1) is not None:
            lines = body.split('\n')
            indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
            body = '\n'.join(l[indent:] for l in lines)
        yield body

def swift_sql(text):
    for body in literals(text):
        if not START.match(body) or len(body) < 12:
            continue
        counter = [0]
        def param(_):
            counter[0] += 1
            return '$%d' % counter[0]
        sql = re.sub(r'\\\((?:[^()]|\([^()]*\))*\)', param, body)
        sql = sql.replace('\\"', '"').replace('\\n', '\n').replace('\\\\', '\\')
        if '\\(' in sql:
            continue
        yield sql

STORE = ['Sources/Storefront', 'Sources/Database', 'Sources/Telemetry']
for path in sorted(p for folder in STORE for p in (root / folder).rglob('*.swift')):
    for sql in swift_sql(path.read_text()):
        out.append(('store', sql))
for path in sorted((root / 'Tests/AdvisorTests').glob('*.swift')):
    for body in swift_sql(path.read_text()):
        for sql in split_script(body) if ';' in body else [body]:
            out.append(('advisor-tests', sql))

sys.stdout.write(''.join('%s\t%s\0' % (w, s) for w, s in out))
