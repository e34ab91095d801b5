// The real OpenTelemetry SDKs for the tests, in memory: spans in an InMemorySpanExporter, metrics
// through a reader read on demand; fastify-pusher/otel on them until the test ends.
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { Test } from 'tap'
import { openTelemetry } from '../../lib/telemetry/otel'

export type Points = Array<{ attributes: Record<string, unknown>, value: any }>

export function sdk (t: Test) {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const telemetry = openTelemetry({ tracerProvider, meterProvider })
  t.teardown(async () => {
    telemetry.close()
    await meterProvider.shutdown()
    await tracerProvider.shutdown()
  })
  /** The last collection, by metric name: each data point's attributes and value. */
  const metrics = async (): Promise<Map<string, Points>> => {
    await reader.forceFlush()
    const all = exporter.getMetrics() as ResourceMetrics[]
    const byName = new Map<string, Points>()
    for (const scope of all.at(-1)?.scopeMetrics ?? []) {
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric.dataPoints.map((point) => ({ attributes: point.attributes, value: point.value })))
    }
    return byName
  }
  return { spans, metrics, telemetry, tracerProvider }
}
