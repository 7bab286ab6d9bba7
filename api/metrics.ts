import type { NextFunction, Request, Response } from 'express';
import client from 'prom-client';
import { eventLoopWatch } from './event-loop';
import type { Admission } from './admission';

/** Prometheus registry of the API process (GET /metrics). */
export function createMetrics(admission?: Admission) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // prom-client's default metrics include nodejs_eventloop_lag_seconds (measured at scrape time) and
  // its percentiles; this one keeps the worst delay between scrapes, which a scrape alone would miss.
  const watch = eventLoopWatch();
  new client.Gauge({
    name: 'api_event_loop_lag_max_seconds',
    help: 'Largest event-loop delay of the API process over the last 10 seconds',
    registers: [registry],
    collect() {
      this.set(watch.maxLagSeconds());
    },
  });
  if (admission) {
    // What admission control (api/admission.ts) sees: its queue in this process, and the task queue's backlog.
    const gauge = (name: string, help: string, read: () => number) =>
      new client.Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    gauge('api_admission_running', 'Requests handing work to Temporal running now', () => admission.state().running);
    gauge('api_admission_queued', 'Requests handing work to Temporal waiting for their turn', () => admission.state().queued);
    gauge('api_admission_service_seconds', 'Recent service time of one such request', () => admission.state().serviceMs / 1000);
    gauge('api_admission_backlog_seconds', 'Expected wait in the workflow task queue (last sample)', () => admission.state().backlogMs / 1000);
    new client.Counter({
      name: 'api_admission_refused_total',
      help: 'Requests refused with 503 by admission control since start',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(admission.state().refused);
      },
    });
  }
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      // The matched route pattern keeps label cardinality bounded (ids are not labels).
      const route = (req.route as { path?: string } | undefined)?.path ?? (res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'other');
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware };
}
