import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from '../../src/platform/http/request-metrics.js';

describe('RequestMetrics', () => {
  it('when answers are recorded, then each route, method and status is counted and timed apart', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry);
    metrics.record('GET', '/api/products/:id', 200, 0.004);
    metrics.record('GET', '/api/products/:id', 200, 0.02);
    metrics.record('GET', '/api/products/:id', 404, 0.002);
    metrics.record('POST', '/api/products/:id', 201, 3);
    metrics.record('GET', '/api/orders', 200, 0.0005);
    const text = await registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/api/products/:id",status="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="/api/products/:id",status="404"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="/api/products/:id",status="201"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/api/orders",status="200"} 1');
    const detail = 'method="GET",route="/api/products/:id"';
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.001",${detail}} 0`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.005",${detail}} 2`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="0.025",${detail}} 3`);
    expect(text).toContain(`http_request_duration_seconds_bucket{le="+Inf",${detail}} 3`);
    expect(text).toContain(`http_request_duration_seconds_count{${detail}} 3`);
    expect(text).toContain(`http_request_duration_seconds_sum{${detail}} 0.026`);
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="2.5",method="POST",route="/api/products/:id"} 0',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="5",method="POST",route="/api/products/:id"} 1',
    );
  });
});
