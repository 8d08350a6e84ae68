-- TPC-H-like schema (the benchmark's tables and columns) with data made by generate_series, not by
-- dbgen (not packaged for Debian here): value domains follow the specification's (segments, brands,
-- containers, ship modes, dates 1992-1998, 1-7 lines per order) but the text is not dbgen's.
-- :sf scales it (0.05 ≈ 75k orders, 300k lines).
CREATE TABLE region (r_regionkey int PRIMARY KEY, r_name text NOT NULL, r_comment text);
CREATE TABLE nation (n_nationkey int PRIMARY KEY, n_name text NOT NULL, n_regionkey int NOT NULL, n_comment text);
CREATE TABLE supplier (s_suppkey int PRIMARY KEY, s_name text, s_address text, s_nationkey int NOT NULL, s_phone text, s_acctbal numeric(15,2), s_comment text);
CREATE TABLE customer (c_custkey int PRIMARY KEY, c_name text, c_address text, c_nationkey int NOT NULL, c_phone text, c_acctbal numeric(15,2), c_mktsegment text, c_comment text);
CREATE TABLE part (p_partkey int PRIMARY KEY, p_name text, p_mfgr text, p_brand text, p_type text, p_size int, p_container text, p_retailprice numeric(15,2), p_comment text);
CREATE TABLE partsupp (ps_partkey int, ps_suppkey int, ps_availqty int, ps_supplycost numeric(15,2), ps_comment text, PRIMARY KEY (ps_partkey, ps_suppkey));
CREATE TABLE orders (o_orderkey int PRIMARY KEY, o_custkey int NOT NULL, o_orderstatus text, o_totalprice numeric(15,2), o_orderdate date NOT NULL,
    o_orderpriority text, o_clerk text, o_shippriority int, o_comment text);
CREATE TABLE lineitem (l_orderkey int, l_partkey int, l_suppkey int, l_linenumber int, l_quantity numeric(15,2), l_extendedprice numeric(15,2),
    l_discount numeric(15,2), l_tax numeric(15,2), l_returnflag text, l_linestatus text, l_shipdate date, l_commitdate date, l_receiptdate date,
    l_shipinstruct text, l_shipmode text, l_comment text, PRIMARY KEY (l_orderkey, l_linenumber));

SELECT setseed(0.42);
INSERT INTO region SELECT g, (ARRAY['AFRICA','AMERICA','ASIA','EUROPE','MIDDLE EAST'])[g + 1], 'region' FROM generate_series(0, 4) g;
INSERT INTO nation SELECT g, (ARRAY['ALGERIA','ARGENTINA','BRAZIL','CANADA','EGYPT','ETHIOPIA','FRANCE','GERMANY','INDIA','INDONESIA','IRAN',
    'IRAQ','JAPAN','JORDAN','KENYA','MOROCCO','MOZAMBIQUE','PERU','CHINA','ROMANIA','SAUDI ARABIA','VIETNAM','RUSSIA','UNITED KINGDOM','UNITED STATES'])[g + 1],
    (ARRAY[0,1,1,1,4,0,3,3,2,2,4,4,2,4,0,0,0,1,2,3,4,2,3,3,1])[g + 1], 'nation' FROM generate_series(0, 24) g;
INSERT INTO supplier SELECT g, 'Supplier#' || g, 'addr', g % 25, '10-' || g, (random() * 10000)::numeric(15,2), 'supplier comment'
FROM generate_series(1, (10000 * :sf)::int) g;
INSERT INTO customer SELECT g, 'Customer#' || g, 'addr', g % 25, '10-' || g, (random() * 10000)::numeric(15,2),
    (ARRAY['AUTOMOBILE','BUILDING','FURNITURE','MACHINERY','HOUSEHOLD'])[1 + (random() * 4)::int], 'customer comment'
FROM generate_series(1, (150000 * :sf)::int) g;
INSERT INTO part SELECT g, 'part ' || g, 'Manufacturer#' || (1 + g % 5), 'Brand#' || (1 + g % 5) || (1 + (g / 5) % 5),
    (ARRAY['STANDARD','SMALL','MEDIUM','LARGE','ECONOMY','PROMO'])[1 + g % 6] || ' ' || (ARRAY['ANODIZED','BURNISHED','PLATED','POLISHED','BRUSHED'])[1 + (g / 6) % 5]
        || ' ' || (ARRAY['TIN','NICKEL','BRASS','STEEL','COPPER'])[1 + (g / 30) % 5],
    1 + (random() * 49)::int, (ARRAY['SM','LG','MED','JUMBO','WRAP'])[1 + (random() * 4)::int] || ' ' || (ARRAY['CASE','BOX','BAG','JAR','PKG','PACK','CAN','DRUM'])[1 + (random() * 7)::int],
    (900 + g % 1000)::numeric(15,2), 'part comment'
FROM generate_series(1, (200000 * :sf)::int) g;
INSERT INTO partsupp SELECT p, 1 + (p + i * ((10000 * :sf)::int / 4)) % (10000 * :sf)::int, (random() * 9999)::int, (1 + random() * 999)::numeric(15,2), 'ps'
FROM generate_series(1, (200000 * :sf)::int) p, generate_series(0, 3) i;
INSERT INTO orders SELECT g, 1 + (random() * (150000 * :sf - 1))::int, 'O', 0, date '1992-01-01' + (random() * 2405)::int,
    (ARRAY['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'])[1 + (random() * 4)::int], 'Clerk#' || (g % 1000), 0, 'order comment'
FROM generate_series(1, (1500000 * :sf)::int) g;
INSERT INTO lineitem
SELECT o_orderkey, p, 1 + (p + (n % 4) * ((10000 * :sf)::int / 4)) % (10000 * :sf)::int, n, q, q * (900 + p % 1000), d, (random() * 0.08)::numeric(15,2),
    CASE WHEN rd <= date '1995-06-17' THEN (ARRAY['R','A'])[1 + (random())::int] ELSE 'N' END, CASE WHEN sd > date '1995-06-17' THEN 'O' ELSE 'F' END,
    sd, o_orderdate + 30 + (random() * 60)::int, rd,
    (ARRAY['DELIVER IN PERSON','COLLECT COD','NONE','TAKE BACK RETURN'])[1 + (random() * 3)::int],
    (ARRAY['REG AIR','AIR','RAIL','SHIP','TRUCK','MAIL','FOB'])[1 + (random() * 6)::int], 'line comment'
FROM (
    SELECT o_orderkey, o_orderdate, n, 1 + (random() * (200000 * :sf - 1))::int AS p, (1 + random() * 49)::int::numeric(15,2) AS q,
        (random() * 0.10)::numeric(15,2) AS d, sd, sd + 1 + (random() * 29)::int AS rd
    FROM (SELECT o_orderkey, o_orderdate, n, o_orderdate + 1 + (random() * 120)::int AS sd
          FROM orders, generate_series(1, 1 + o_orderkey % 7) n) lines
) l;
UPDATE orders o SET o_totalprice = s.total FROM (SELECT l_orderkey, sum(l_extendedprice) AS total FROM lineitem GROUP BY l_orderkey) s WHERE s.l_orderkey = o.o_orderkey;
VACUUM ANALYZE;
