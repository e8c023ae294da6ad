/**
 * The metering model of metering.ts, in SQL, so a month of a whole city is computed inside PostgreSQL
 * instead of being loaded into JS objects. rebill-properties.e2e.ts checks that both agree on random histories.
 *
 * Parameters: $1 window start, $2 window end (exclusive; both inside one month), $3 the month's length
 * in milliseconds, $4 the month 'YYYY-MM' (and the subtree's path prefix, where one is named). Answers one
 * row per line key with NUMERIC usage and amount.
 */
const CARDS = `
  SELECT c.*, (c.effective_from::timestamp AT TIME ZONE 'UTC') AS c_from,
         COALESCE(LEAD(c.effective_from::timestamp AT TIME ZONE 'UTC')
                  OVER (PARTITION BY c.pool_id ORDER BY c.effective_from), 'infinity') AS c_to
  FROM rate_cards c`;

/**
 * The cards in force at some instant of the window, with their storage prices by tier: a handful of
 * rows, read once (MATERIALIZED) and then looked up per line in a nested loop, which keeps the rows in
 * the order they arrive (see usage). Segments look up `card_spans`, the same cards with only the
 * columns the cut reads, first: a million lookups read narrow rows.
 */
const WINDOW_CARDS = `
  SELECT c.*, (SELECT jsonb_object_agg(sp.tier, sp.gib_month::text) FROM rate_card_storage_prices sp
               WHERE sp.rate_card_id = c.id) AS storage_prices
  FROM (${CARDS}) c
  WHERE c.c_from < $2::timestamptz AND c.c_to > $1::timestamptz`;

/** Placeholders of a resource id range [from, to), either end null for unbounded: a part of a draft. */
export type Shard = { from: string; to: string };
const inShard = (column: string, { from, to }: Shard) =>
  `(${from}::uuid IS NULL OR ${column} >= ${from}::uuid) AND (${to}::uuid IS NULL OR ${column} < ${to}::uuid)`;

const num = (field: string) => `COALESCE((e.spec->>'${field}')::numeric, 0)`;
const REPLICAS = `COALESCE((e.spec->>'replicas')::numeric, 1)`;
const RUNNING = `e.to_state = 'running'`;
const PUBLIC_IP = `CASE jsonb_typeof(e.spec->'publicIp') WHEN 'boolean' THEN (e.spec->>'publicIp')::boolean::int::numeric
                   WHEN 'number' THEN (e.spec->>'publicIp')::numeric ELSE 0 END`;

/**
 * What an event's state holds per dimension (metering.ts quantities): compute while running, storage
 * whenever it exists (whether a stopped resource's storage bills is the card's to say). Read from the
 * spec once per event, before the sort, so the sort moves a few numbers instead of the spec.
 */
const HELD = `
  ${RUNNING} AS running, COALESCE(e.spec->>'storageTier', 'standard') AS tier,
  CASE WHEN ${RUNNING} THEN ${num('vcpu')} * ${REPLICAS} ELSE 0 END AS vcpu,
  CASE WHEN ${RUNNING} THEN ${num('memoryGiB')} * ${REPLICAS} ELSE 0 END AS memory,
  CASE WHEN ${RUNNING} THEN ${num('gpu')} * ${REPLICAS} ELSE 0 END AS gpu,
  CASE WHEN ${RUNNING} THEN ${PUBLIC_IP} ELSE 0 END AS public_ip,
  ${num('storageGiB')} AS storage`;

/**
 * A resource's state segments overlapping the window, with what they bill. Deleted is terminal: nothing
 * from a resource's first 'deleted' on bills. Only the window's events are read, plus, per resource not
 * deleted before it, the event in force when it opens and whether it had run: a month costs the same in
 * a city's first year as in its tenth (index probes, not its whole history sorted). `under`, when given,
 * is the placeholder of a department path prefix: only that subtree is read (a department's live report
 * meters its own usage only).
 */
const segments = (under?: string, shard?: Shard) => `
  SELECT ev.*, GREATEST(ev.at, $1::timestamptz) AS s, LEAST(COALESCE(ev.next_at, 'infinity'), $2::timestamptz) AS t
  FROM (
    SELECT e.resource_id, e.department_id, e.pool_id, e.running, e.tier, e.vcpu, e.memory, e.gpu, e.public_ip, e.storage,
           e.at, LEAD(e.at) OVER w AS next_at,
           -- Running flags: 1 once it has run, 2 once deleted. ROWS: the order is unique, no peers to seek.
           bit_or(e.seen) OVER w AS seen
    FROM (SELECT e.*, date_trunc('milliseconds', e.occurred_at) AS at, ${HELD} FROM (
      SELECT e.id, e.resource_id, e.department_id, e.pool_id, e.to_state, e.spec, e.occurred_at,
             CASE e.to_state WHEN 'running' THEN 1 WHEN 'deleted' THEN 2 ELSE 0 END AS seen
      FROM resource_events e
      WHERE e.occurred_at >= $1::timestamptz AND e.occurred_at < $2::timestamptz${shard ? ` AND ${inShard('e.resource_id', shard)}` : ''}
      UNION ALL
      -- Index probes per resource (LIMIT 1 keeps them probes: an EXISTS may be hashed over the whole
      -- history); the index for 'deleted' is partial, a row per deleted resource.
      SELECT e.*,
             CASE WHEN e.to_state = 'running' OR COALESCE((SELECT true FROM resource_events x WHERE x.resource_id = r.id
                       AND x.occurred_at < $1::timestamptz AND x.to_state = 'running' LIMIT 1), false) THEN 1 ELSE 0 END
             | CASE WHEN COALESCE((SELECT true FROM resource_events x WHERE x.resource_id = r.id
                       AND x.occurred_at < $1::timestamptz AND x.to_state = 'deleted' LIMIT 1), false) THEN 2 ELSE 0 END
      FROM resources r
      CROSS JOIN LATERAL (SELECT e.id, e.resource_id, e.department_id, e.pool_id, e.to_state, e.spec, e.occurred_at
                          FROM resource_events e WHERE e.resource_id = r.id AND e.occurred_at < $1::timestamptz
                          ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1) e
      -- A resource whose row was last touched, deleted, before the window has nothing in it: years of
      -- deleted resources cost a scan, not probes. (Rows touched later are probed like any other.)
      WHERE NOT (r.state = 'deleted' AND r.updated_at < $1::timestamptz)${shard ? ` AND ${inShard('r.id', shard)}` : ''}
    ) e) e
    ${under ? `WHERE e.department_id IN (SELECT id FROM departments WHERE path LIKE ${under})` : ''}
    WINDOW w AS (PARTITION BY e.department_id, e.resource_id ORDER BY e.occurred_at, e.id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
  ) ev
  WHERE COALESCE(ev.next_at, 'infinity') > $1::timestamptz
    AND ev.seen & 2 = 0
    AND (ev.running OR ev.seen & 1 = 1)`;

/**
 * Usage per line key in the window. Segments cut at card changes; their milliseconds summed per
 * resource, card and held quantities (one addition per segment); then quantity × milliseconds summed
 * per resource and card, for storage per tier too (ROLLUP: the same pass); then one row per billed
 * dimension. Segments arrive in department and resource order (the window of segments) and the card
 * lookup is a nested loop that keeps it, so the first grouping sorts only each resource's few rows and
 * the second none. The planner underestimates the segments by far and would hash instead:
 * METERING_SETTINGS turns hash aggregation off. Lines leave in department and resource order, the
 * order of rebill_lines' line index, which then grows at its end instead of being written all over.
 */
const usage = (under?: string, shard?: Shard) => `
  SELECT g.department_id, g.resource_id, g.pool_id, d.dimension, d.tier, g.card_id, d.usage_ms
  FROM (
    SELECT g.department_id, g.resource_id, g.card_id, g.pool_id, g.tier, GROUPING(g.tier) AS all_tiers,
           SUM(g.vcpu * g.ms) AS vcpu, SUM(g.memory * g.ms) AS memory, SUM(g.gpu * g.ms) AS gpu,
           SUM(g.public_ip * g.ms) AS public_ip, SUM(g.storage * g.ms) AS storage
    FROM (
      SELECT p.department_id, p.resource_id, p.card_id, p.pool_id, p.tier,
             p.vcpu, p.memory, p.gpu, p.public_ip, p.storage, SUM(p.ms) AS ms
      FROM (
        SELECT p.department_id, p.resource_id, c.id AS card_id, p.pool_id, p.tier,
               EXTRACT(EPOCH FROM (LEAST(p.t, c.c_to) - GREATEST(p.s, c.c_from))) * 1000 AS ms,
               p.vcpu, p.memory, p.gpu, p.public_ip,
               CASE WHEN p.running OR c.storage_billing = 'exists' THEN p.storage ELSE 0 END AS storage
        FROM (${segments(under, shard)}) p
        -- OFFSET 0 keeps the lookup a nested loop (the planner would hash-join and lose the order).
        CROSS JOIN LATERAL (SELECT * FROM card_spans c WHERE c.pool_id = p.pool_id AND c.c_from < p.t AND c.c_to > p.s
                            OFFSET 0) c
        WHERE p.t > p.s
      ) p
      GROUP BY p.department_id, p.resource_id, p.card_id, p.pool_id, p.tier, p.vcpu, p.memory, p.gpu, p.public_ip, p.storage
    ) g
    GROUP BY g.department_id, g.resource_id, g.card_id, g.pool_id, ROLLUP (g.tier)
  ) g
  -- Compute dimensions from the row over all tiers, storage from each tier's own row.
  CROSS JOIN LATERAL (VALUES
    ('vcpu', NULL::text, CASE WHEN g.all_tiers = 1 THEN g.vcpu END),
    ('memoryGiB', NULL::text, CASE WHEN g.all_tiers = 1 THEN g.memory END),
    ('gpu', NULL::text, CASE WHEN g.all_tiers = 1 THEN g.gpu END),
    ('publicIp', NULL::text, CASE WHEN g.all_tiers = 1 THEN g.public_ip END),
    ('storageGiB', g.tier, CASE WHEN g.all_tiers = 0 THEN g.storage END)
  ) d(dimension, tier, usage_ms)
  WHERE d.usage_ms > 0`;

/** The per-unit length of each dimension's price: an hour, or the month. Mirrors metering.ts PRICING. */
const PER = `CASE WHEN u.dimension IN ('vcpu', 'memoryGiB', 'gpu') THEN 3600000 ELSE $3::numeric END`;
const UNIT = `CASE u.dimension WHEN 'vcpu' THEN 'vCPU·h' WHEN 'memoryGiB' THEN 'GiB·h' WHEN 'gpu' THEN 'GPU·h'
              WHEN 'publicIp' THEN 'IP·month' WHEN 'storageGiB' THEN 'GiB·month' ELSE 'U·month' END`;
const PRICE = `CASE u.dimension WHEN 'vcpu' THEN c.vcpu_hour WHEN 'memoryGiB' THEN c.memory_gib_hour
               WHEN 'gpu' THEN c.gpu_hour WHEN 'publicIp' THEN c.public_ip_month
               WHEN 'storageGiB' THEN (c.storage_prices->>u.tier)::numeric(18,6) ELSE c.rack_unit_month END`;

/**
 * Settings for a transaction that meters: a city's month is sorted and grouped in one statement, so it
 * gets memory rather than temp files; its groupings arrive sorted (see usage), so no hashing; and its
 * estimated cost sets off JIT compilation that takes about a second and (measured) saves less than that.
 */
export const METERING_SETTINGS = [
  `SET LOCAL work_mem = '256MB'`,
  'SET LOCAL enable_hashagg = off',
  'SET LOCAL jit = off',
];

/**
 * numerator / denominator rounded to `places` decimals by the rule of money.ts (half away from zero, as
 * decimal.js ROUND_HALF_UP in roundLine and roundQuantity), exactly. Not round(n / d, places): numeric
 * division rounds its quotient to about 16 significant digits first, so an amount a few 1e-13 below a
 * half fen became a half fen and rounded up. div() truncates the exact quotient, and
 * trunc((2|n|·10^p + d) / 2d) is |n|/d rounded half-up at p decimals.
 */
const roundedQuotient = (numerator: string, denominator: string, places: number) =>
  `(sign(${numerator}) * div(abs(${numerator}) * ${2 * 10 ** places} + ${denominator}, 2 * ${denominator})
    * 1e-${places})`;

/** Priced lines of one month window, in key order (the line index then grows at its end). */
export const pricedLines = (under?: string, shard?: Shard) => `
  WITH cards AS MATERIALIZED (${WINDOW_CARDS}),
       card_spans AS MATERIALIZED (SELECT c_from, c_to, pool_id, id, storage_billing FROM cards)
  SELECT concat_ws('|', $4::text, u.department_id, u.resource_id,
                   u.dimension || COALESCE(':' || u.tier, ''), u.card_id) COLLATE "C" AS key,
         $4::text AS month, u.department_id, u.resource_id, u.pool_id, u.dimension, u.tier,
         u.card_id AS rate_card_id, ${UNIT} AS unit, u.usage_ms,
         ${roundedQuotient('u.usage_ms', PER, 6)} AS quantity,
         ${PRICE} AS unit_price,
         ${roundedQuotient(`u.usage_ms * ${PRICE}`, PER, 2)} AS amount
  FROM (${usage(under, shard)}) u
  CROSS JOIN LATERAL (SELECT * FROM cards c WHERE c.id = u.card_id OFFSET 0) c`;

/**
 * The cards that may price usage up to $1 (exclusive), each with a fingerprint of what of it prices
 * (name and tender reference left out): what a draft was priced against, and what its finalisation
 * compares with.
 */
const CARD_TERMS = `
  SELECT c.id::text AS id, c.name,
         md5(((to_jsonb(c) - 'name' - 'tender_ref' - 'created_at' - 'updated_at')
              || jsonb_build_object('storage', (SELECT jsonb_object_agg(sp.tier, sp.gib_month)
                                                FROM rate_card_storage_prices sp WHERE sp.rate_card_id = c.id)))::text) AS terms
  FROM rate_cards c
  WHERE (c.effective_from::timestamp AT TIME ZONE 'UTC') < $1::timestamptz`;

/** CARD_TERMS as one object, id → fingerprint. $1 the period's end. */
export const RATE_CARDS_SEEN = `SELECT COALESCE(jsonb_object_agg(t.id, t.terms), '{}') AS seen FROM (${CARD_TERMS}) t`;

/**
 * Cards whose terms differ from what a draft recorded ($2): edited, added, removed, or moved in or out
 * of the period. $1 the period's end. Run after the cards are locked (RATE_CARDS_LOCK), in a statement
 * of its own: one that locked them would read their storage prices from before a concurrent edit.
 */
export const RATE_CARDS_CHANGED = `
  SELECT COALESCE(t.id, s.id) AS id, t.name
  FROM (${CARD_TERMS}) t FULL JOIN jsonb_each_text($2::jsonb) s(id, terms) ON s.id = t.id
  WHERE t.terms IS DISTINCT FROM s.terms
  ORDER BY 1 LIMIT 1`;

/**
 * Locks what RATE_CARDS_CHANGED reads against edits until the finalisation commits: the cards that now
 * may price usage up to $1, and those the draft recorded ($2).
 */
export const RATE_CARDS_LOCK = `
  SELECT c.id FROM rate_cards c
  WHERE (c.effective_from::timestamp AT TIME ZONE 'UTC') < $1::timestamptz OR $2::jsonb ? c.id::text
  ORDER BY c.id FOR SHARE`;

/**
 * Pools that may have usage no card prices: no card at all, or a first card after the window's start.
 * Usually none, so the costly check below runs only when it can find something. $1 window start.
 */
export const UNPRICED_POOLS = `
  SELECT p.id FROM pools p
  WHERE NOT EXISTS (SELECT 1 FROM rate_cards c WHERE c.pool_id = p.id
                    AND (c.effective_from::timestamp AT TIME ZONE 'UTC') <= $1::timestamptz)`;

/** Usage in the window on the given pools ($3) that no card prices: pool and first unpriced instant. */
export const UNPRICED_USAGE = `
  SELECT seg.pool_id, MIN(seg.s) AS at
  FROM (${segments()}) seg
  WHERE seg.t > seg.s AND seg.pool_id = ANY($3::uuid[])
    AND NOT EXISTS (SELECT 1 FROM rate_cards c WHERE c.pool_id = seg.pool_id
                    AND (c.effective_from::timestamp AT TIME ZONE 'UTC') <= seg.s)
  GROUP BY seg.pool_id`;

/**
 * Hosted equipment (托管): hosts serving a system whose migration strategy is 'hosting', from the
 * moment the host's migration reached 'migrated' (moved into the cloud data centre) until the day an
 * operator recorded it leaving (00:00 UTC; null: still there). $1 window end.
 */
export const HOSTED_EQUIPMENT = `
  SELECT h.id, h.department_id AS "departmentId", h.rack_unit AS "rackUnit", m.at AS "from",
         (h.hosting_ended_on::timestamp AT TIME ZONE 'UTC') AS "to"
  FROM hosts h
  JOIN LATERAL (SELECT MIN(t.at) AS at FROM migration_transitions t
                WHERE t.subject_type = 'host' AND t.subject_id = h.id AND t.to_status = 'migrated') m ON m.at < $1
  WHERE EXISTS (SELECT 1 FROM system_hosts sh JOIN information_systems s ON s.id = sh.system_id
                WHERE sh.host_id = h.id AND COALESCE(s.strategy_override, s.suggested_strategy) = 'hosting')
  ORDER BY h.id`;

/** The pool whose card prices rack units: the city's own data centre, i.e. the oldest self-managed pool. */
export const HOSTING_POOL = `SELECT id FROM pools WHERE tier = 'self-managed' ORDER BY created_at, id LIMIT 1`;

/** A UUIDv7 layout: milliseconds since the epoch, then random bits. */
const TIME_ORDERED_UUID = `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
  PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1),
  'hex')::uuid`;

/**
 * Line ids that grow with time: a UUIDv7 prefix drawn once per statement (milliseconds since the epoch,
 * then 42 random bits), then the row's number in the statement. A draft's million new ids land at the
 * end of the primary-key index instead of on random pages, and each costs a counter, not a random uuid.
 */
export const LINE_ID = `(left((SELECT ${TIME_ORDERED_UUID})::text, 28) || lpad(to_hex(row_number() OVER ()), 8, '0'))::uuid`;
