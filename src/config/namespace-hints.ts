// What to write instead of a KrakenD namespace Rampart does not implement, where there is an
// answer: appended to the "not implemented" startup error, so a migration has a next step.
import { REFUSAL_HINTS } from './namespace-refusals.js';

export const NOT_IMPLEMENTED_HINTS: Readonly<Record<string, string>> = {
  ...REFUSAL_HINTS,
  'telemetry/newrelic':
    'send traces and metrics to New Relic over OTLP instead: "telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "newrelic", "host": "https://otlp.nr-data.net", "port": 4317}]}} with the api-key header in telemetry/opentelemetry-security: {"otlp": [{"name": "newrelic", "headers": {"api-key": "<license key>"}}]}',
  'telemetry/moesif': 'no replacement in Rampart yet: ship the access log (telemetry/logging access_log_format "json") to Moesif with a log forwarder',
  'telemetry/ganalytics': 'deprecated in KrakenD (audit 7.2.1); no replacement',
  'telemetry/instana': 'deprecated in KrakenD (audit 7.2.2); use telemetry/opentelemetry with an otlp exporter to the Instana agent',
};
