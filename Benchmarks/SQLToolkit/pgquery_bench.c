// libpg_query's cost and coverage on the corpus of sql-toolkit.sh (reads it on stdin:
// NUL-separated records `workload<TAB>sql`). Prints one TSV row per workload:
// workload, statements, parsed, fingerprint ns/statement, parse-to-JSON ns/statement, distinct fingerprints,
// then one `unparsed<TAB>workload<TAB>message<TAB>first line` row per statement PostgreSQL's parser refuses.
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    size_t cap = 1 << 22, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len, stdin)) > 0) { len += n; if (len == cap) buf = realloc(buf, cap *= 2); }
    char *workloads[4096], *sqls[4096];
    int count = 0;
    for (size_t start = 0; start < len && count < 4096;) {
        char *record = buf + start;
        size_t rlen = strlen(record);
        char *tab = strchr(record, '\t');
        if (tab) { *tab = 0; workloads[count] = record; sqls[count] = tab + 1; count++; }
        start += rlen + 1;
    }
    const char *names[] = {"tpch", "store", "migrations", "advisor-tests"};
    for (int w = 0; w < 4; w++) {
        int statements = 0, parsed = 0, distinct = 0;
        uint64_t seen[4096];
        double fingerprint_ns = 0, parse_ns = 0;
        for (int i = 0; i < count; i++) {
            if (strcmp(workloads[i], names[w]) != 0) continue;
            statements++;
            PgQueryParseResult p = pg_query_parse(sqls[i]);
            if (p.error) {
                char first[120];
                snprintf(first, sizeof first, "%s", sqls[i]);
                char *nl = strchr(first, '\n'); if (nl) *nl = 0;
                printf("unparsed\t%s\t%s\t%s\n", names[w], p.error->message, first);
                pg_query_free_parse_result(p);
                continue;
            }
            pg_query_free_parse_result(p);
            parsed++;
            PgQueryFingerprintResult f = pg_query_fingerprint(sqls[i]);
            int known = 0;
            for (int k = 0; k < distinct; k++) if (seen[k] == f.fingerprint) known = 1;
            if (!known) seen[distinct++] = f.fingerprint;
            pg_query_free_fingerprint_result(f);
            double t0 = now_ns();
            for (int r = 0; r < rounds; r++) pg_query_free_fingerprint_result(pg_query_fingerprint(sqls[i]));
            double t1 = now_ns();
            for (int r = 0; r < rounds; r++) pg_query_free_parse_result(pg_query_parse(sqls[i]));
            double t2 = now_ns();
            fingerprint_ns += (t1 - t0) / rounds;
            parse_ns += (t2 - t1) / rounds;
        }
        printf("%s\t%d\t%d\t%.0f\t%.0f\t%d\n", names[w], statements, parsed,
               parsed ? fingerprint_ns / parsed : 0, parsed ? parse_ns / parsed : 0, distinct);
    }
    return 0;
}
