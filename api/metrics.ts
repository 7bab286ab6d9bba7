import type { NextFunction, Request, Response } from 'express';
import client from 'prom-client';
import { eventLoopWatch } from './event-loop';

/** Prometheus registry of the API process (GET /metrics). */
export function createMetrics() {
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
