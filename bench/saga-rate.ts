import postgres from 'postgres';
import { type CheckoutSetup, type OrderRow, type Placed, posterRequests, waitFor } from './checkout-saga.js';
import { fire, percentile, summarize } from './load.js';
import type { ServerProcess } from './server-process.js';

export interface SagaRateOptions {
  /** p99 POST → `confirmed` a step may reach and still pass. */
  boundMs: number;
  stepSeconds: number;
  /** Each step's rate over the one before. */
  factor: number;
  maxSteps: number;
  /** Halvings of the gap between the last step that passed and the first that did not (or zero). */
  refineSteps: number;
  /** The closed-loop POST-only run: connections and seconds. */
  postConnections: number;
  postSeconds: number;
}

export interface SagaStep {
  /** Orders per second the client sent, on a fixed schedule whatever the answers. */
  offeredPerSecond: number;
  sentPerSecond: number;
  post: { p50: number; p99: number };
  confirmedPerSecond: number;
  toConfirmed: { p50: number; p99: number };
  errors: number;
  undecided: number;
  passed: boolean;
}

export interface SagaRateResult {
  bus: string;
  boundMs: number;
  stepSeconds: number;
  factor: number;
  /** No step broke the bound (the search ran out of steps): the sustained rate is a lower bound. */
  unbroken: boolean;
  /** POST /api/orders alone, closed loop: the rate the app accepts orders at. */
  postOnly: { requestsPerSecond: number; p99: number; errors: number };
  steps: SagaStep[];
  /** The step with the highest confirmed rate that kept p99 POST → `confirmed` within the bound. */
  sustained: SagaStep | null;
}

interface Sent {
  sentAt: number;
  ms: number;
  id: string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Open loop: `rate` POSTs a second for `seconds`, each sent on schedule, never waiting for an answer. */
async function sendAtRate(
  app: ServerProcess,
  setup: CheckoutSetup,
  rate: number,
  seconds: number,
): Promise<{ sent: Sent[]; seconds: number }> {
  const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;
  const total = Math.max(1, Math.round(rate * seconds));
  const inFlight: Promise<Sent>[] = [];
  const started = performance.now();
  const post = async (): Promise<Sent> => {
    const sentAt = Date.now();
    const from = performance.now();
    try {
      const response = await fetch(`${app.baseUrl}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${pick(setup.tokens)}` },
        body: JSON.stringify({ items: [{ product_id: pick(setup.products).id, quantity: 1 }] }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = await response.text();
      const id = response.status === 201 ? (JSON.parse(body) as { id: string }).id : null;
      return { sentAt, ms: performance.now() - from, id };
    } catch {
      return { sentAt, ms: performance.now() - from, id: null };
    }
  };
  while (inFlight.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (inFlight.length < due) inFlight.push(post());
    await sleep(Math.max(1, Math.min(5, 1000 / rate)));
  }
  const sendingSeconds = (performance.now() - started) / 1000;
  return { sent: await Promise.all(inFlight), seconds: Math.max(sendingSeconds, seconds) };
}

/** Waits for every order to leave `pending`, then reads their status history. */
async function decided(sql: postgres.Sql, ids: string[]): Promise<OrderRow[]> {
  let rows: OrderRow[] = [];
  await waitFor(
    async () => {
      rows = await sql<OrderRow[]>`select id::text, status, status_history from orders.orders
        where id = any(${ids}::uuid[])`;
      return rows.every((row) => row.status !== 'pending');
    },
    30_000,
    'the orders of a rate step to be decided',
  ).catch(() => {});
  return rows;
}

/**
 * A step starts once the previous step (or the POST-only burst) has left nothing behind, so that
 * the backlog of a step that broke does not weigh on the next: its orders
 * decided, and no event still travelling — no unpublished outbox row, and the app's
 * `events_consumed_total` unchanged over half a second (the read-model queues done with the
 * burst's `product.updated` events, which no order waits for but which take the CPU a step needs).
 */
async function drained(app: ServerProcess, sql: postgres.Sql, since: Date): Promise<void> {
  await waitFor(
    async () => {
      const [row] =
        await sql`select count(*)::int as n from orders.orders where status = 'pending' and created_at >= ${since}`;
      return row!.n === 0;
    },
    120_000,
    'the pending orders to be decided before the next rate step',
  );
  let consumed = await consumedEvents(app);
  await waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [row] = await sql`select count(*)::int as n from platform.outbox where published_at is null`;
      const now = await consumedEvents(app);
      const quiet = row!.n === 0 && now === consumed;
      consumed = now;
      return quiet;
    },
    120_000,
    'the events of the previous step to be applied before the next rate step',
  );
}

/** The sum of the app's `events_consumed_total` over its queues. */
async function consumedEvents(app: ServerProcess): Promise<number> {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('events_consumed_total')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

async function step(
  app: ServerProcess,
  sql: postgres.Sql,
  setup: CheckoutSetup,
  rate: number,
  options: SagaRateOptions,
  since: Date,
): Promise<SagaStep> {
  await drained(app, sql, since);
  const { sent, seconds } = await sendAtRate(app, setup, rate, options.stepSeconds);
  const placed = sent.filter((entry) => entry.id !== null);
  const rows = await decided(
    sql,
    placed.map((entry) => entry.id!),
  );
  const sentAt = new Map(placed.map((entry) => [entry.id!, entry.sentAt]));
  const toConfirmed: number[] = [];
  for (const row of rows) {
    const confirmed = row.status_history.find((change) => change.status === 'confirmed');
    const at = sentAt.get(row.id);
    if (confirmed && at !== undefined) toConfirmed.push(Date.parse(confirmed.at) - at);
  }
  const posts = sent.map((entry) => entry.ms);
  const errors = sent.length - placed.length + (placed.length - rows.length);
  const undecided = rows.filter((row) => row.status === 'pending').length;
  const p99 = percentile(toConfirmed, 0.99);
  return {
    offeredPerSecond: rate,
    sentPerSecond: sent.length / seconds,
    post: { p50: percentile(posts, 0.5), p99: percentile(posts, 0.99) },
    confirmedPerSecond: toConfirmed.length / seconds,
    toConfirmed: { p50: percentile(toConfirmed, 0.5), p99 },
    errors,
    undecided,
    // Every order sent confirmed, none late: an order that failed or never confirmed breaks the step.
    passed: errors === 0 && toConfirmed.length === sent.length && p99 <= options.boundMs,
  };
}

/** The closed-loop POST-only rate, then its orders left to settle before the search starts. */
async function postOnly(
  app: ServerProcess,
  sql: postgres.Sql,
  setup: CheckoutSetup,
  options: SagaRateOptions,
) {
  const placed: Placed[] = [];
  const result = summarize(
    await fire(app.baseUrl, {
      connections: options.postConnections,
      seconds: options.postSeconds,
      requests: posterRequests(setup, placed),
    }),
  );
  await decided(
    sql,
    placed.map((order) => order.id),
  );
  return { requestsPerSecond: result.requestsPerSecond, p99: result.p99, errors: result.errors };
}

/**
 * The highest rate of confirmed orders the saga sustains with p99 POST → `confirmed` within the
 * bound: fixed arrival rates (open loop, so a slow answer does not slow the arrivals), each held
 * for `stepSeconds` and its orders left to be decided, from a tenth of the POST-only rate up by
 * `factor` until a step breaks the bound, then halving the gap between the last good step and it
 * (or, when the first step broke, going below it).
 * Only the plentiful products are ordered: a rejection for want of stock is not a slow saga.
 */
export async function searchSagaRate(
  app: ServerProcess,
  url: string,
  bus: string,
  setup: CheckoutSetup,
  options: SagaRateOptions,
): Promise<SagaRateResult> {
  const plentiful = { ...setup, products: setup.products.filter((product) => product.stock >= 1000) };
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [clock] = await sql`select now() as now`;
    const since = clock!.now as Date;
    const accepted = await postOnly(app, sql, plentiful, options);
    const steps: SagaStep[] = [];
    let good: SagaStep | null = null;
    let bad: SagaStep | null = null;
    let rate = Math.max(2, Math.round(accepted.requestsPerSecond / 10));
    for (let index = 0; index < options.maxSteps && !bad; index++) {
      const result = await step(app, sql, plentiful, rate, options, since);
      steps.push(result);
      if (result.passed) good = result;
      else bad = result;
      rate = Math.round(rate * options.factor);
    }
    for (let index = 0; index < options.refineSteps && bad; index++) {
      // Between the last good step and the first bad one; below the first step when it broke.
      const middle = Math.round(((good?.offeredPerSecond ?? 0) + bad.offeredPerSecond) / 2);
      if (middle < 1 || middle === good?.offeredPerSecond || middle === bad.offeredPerSecond) break;
      const result = await step(app, sql, plentiful, middle, options, since);
      steps.push(result);
      if (result.passed) good = result;
      else bad = result;
    }
    const passed = steps.filter((entry) => entry.passed);
    const sustained = passed.reduce<SagaStep | null>(
      (best, entry) => (best && best.confirmedPerSecond >= entry.confirmedPerSecond ? best : entry),
      null,
    );
    return {
      bus,
      boundMs: options.boundMs,
      stepSeconds: options.stepSeconds,
      factor: options.factor,
      unbroken: bad === null,
      postOnly: accepted,
      steps,
      sustained,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
