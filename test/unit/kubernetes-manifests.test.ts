// deploy/kubernetes/: every manifest parses, and the fields that make the deployment safe hold
// together: probes on the gateway's real health path and port, the hardened security context,
// a grace period longer than the preStop pause plus the config's drain bound, selectors that
// match, the ConfigMap's config accepted by `rampart check`, and the image (Dockerfile) agreeing
// with the manifests on user, port and config path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { BIN, ROOT } from '../helpers/gateway.js';

const DIR = join(ROOT, 'deploy/kubernetes');

type Doc = any;

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const docs: { file: string; doc: Doc }[] = [];
for (const file of files) {
  for (const d of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
    if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    docs.push({ file, doc: d.toJS() });
  }
}
const find = (kind: string, name: string): Doc => {
  const found = docs.find(({ doc }) => doc.kind === kind && doc.metadata?.name === name);
  assert.ok(found, `${kind}/${name} exists`);
  return found.doc;
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

const deployment = find('Deployment', 'rampart');
const pod = deployment.spec.template.spec;
const container = pod.containers.find((c: Doc) => c.name === 'rampart');
const podLabels = deployment.spec.template.metadata.labels;
const config = JSON.parse(find('ConfigMap', 'rampart-config').data['rampart.json']);

/** "30s", "1m", "500ms" → seconds (the forms a config's durations take here). */
function seconds(d: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(d);
  assert.ok(m, `duration ${d}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as 'ms' | 's' | 'm'];
}

test('every manifest parses and is namespaced in rampart; kustomization lists every file', () => {
  assert.ok(docs.length >= 10, `${docs.length} documents`);
  for (const { file, doc } of docs) {
    assert.ok(doc.apiVersion && doc.kind, `${file}: apiVersion and kind`);
    if (doc.kind === 'Kustomization') continue;
    assert.ok(doc.metadata?.name, `${file}: metadata.name`);
    if (doc.kind !== 'Namespace') assert.equal(doc.metadata.namespace, 'rampart', `${file} ${doc.kind}`);
  }
  const kustomization = docs.find(({ doc }) => doc.kind === 'Kustomization')!.doc;
  assert.deepEqual(
    [...kustomization.resources].sort(),
    files.filter((f) => f !== 'kustomization.yaml'),
  );
  for (const kind of ['Deployment', 'Service', 'ConfigMap', 'Secret', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'StatefulSet']) {
    assert.ok(
      docs.some(({ doc }) => doc.kind === kind),
      kind,
    );
  }
});

test('Deployment: 3 replicas, a rolling update that never drops below them, probes on /__health', () => {
  assert.equal(deployment.spec.replicas, 3);
  assert.equal(deployment.spec.strategy.type, 'RollingUpdate');
  assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
  assert.ok(matches(deployment.spec.selector.matchLabels, podLabels));
  const http = container.ports.find((p: Doc) => p.name === 'http');
  assert.equal(http.containerPort, config.port, 'the container port is the config port');
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    assert.equal(container[probe].httpGet.path, '/__health', probe);
    assert.equal(container[probe].httpGet.port, 'http', probe);
  }
  assert.ok(config.extra_config?.router?.disable_health !== true, 'the health endpoint is not switched off');
  for (const kind of ['requests', 'limits']) {
    assert.ok(container.resources[kind].cpu && container.resources[kind].memory, `resources.${kind}`);
  }
});

test('Deployment: non-root, read-only root, no capabilities, seccomp RuntimeDefault, no privilege escalation', () => {
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.ok(pod.securityContext.runAsUser > 0);
  const sc = container.securityContext;
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.equal(sc.readOnlyRootFilesystem, true);
  assert.equal(sc.runAsNonRoot, true);
  assert.deepEqual(sc.capabilities.drop, ['ALL']);
  assert.equal(sc.capabilities.add, undefined);
  assert.notEqual(sc.privileged, true);
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(pod.hostNetwork, undefined);
});

test('Deployment: terminationGracePeriodSeconds outlasts the preStop pause plus the drain bound', () => {
  const command: string[] = container.lifecycle.preStop.exec.command;
  const pauseMs = Number(/setTimeout\(\(\) => \{\}, (\d+)\)/.exec(command.join(' '))?.[1]);
  assert.ok(pauseMs >= 5000, `preStop pauses ${pauseMs} ms: long enough for endpoints to drop the pod`);
  const drain = seconds(config.max_shutdown_wait_time);
  assert.ok(drain > 0, 'the drain is bounded');
  assert.ok(pod.terminationGracePeriodSeconds > pauseMs / 1000 + drain, `${pod.terminationGracePeriodSeconds} s > ${pauseMs / 1000} s + ${drain} s`);
  // The image has no sleep binary to rely on: the pause runs on node, the image's entry point.
  assert.equal(command[0], 'node');
});

test('Deployment: config at /etc/rampart/rampart.json from the ConfigMap, keys from the Secret', () => {
  const env = Object.fromEntries(container.env.map((e: Doc) => [e.name, e.value]));
  assert.equal(env.RAMPART_CONFIG, '/etc/rampart/rampart.json');
  const mount = (name: string) => container.volumeMounts.find((m: Doc) => m.name === name);
  const volume = (name: string) => pod.volumes.find((v: Doc) => v.name === name);
  assert.equal(mount('config').mountPath, '/etc/rampart');
  assert.equal(volume('config').configMap.name, 'rampart-config');
  assert.equal(mount('keys').mountPath, '/etc/rampart-keys');
  assert.equal(volume('keys').secret.secretName, 'rampart-keys');
  assert.ok(container.volumeMounts.every((m: Doc) => m.readOnly === true));
  const jwk = config.endpoints[0].extra_config['auth/validator'].jwk_local_path as string;
  const secret = find('Secret', 'rampart-keys');
  assert.ok(
    jwk.startsWith('/etc/rampart-keys/') && secret.stringData[jwk.slice('/etc/rampart-keys/'.length)],
    'the key file the config reads is in the Secret',
  );
});

test('the ConfigMap config passes `rampart check` (its key file stood in by a generated JWKS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-k8s-'));
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...jwk, kid: 'k1', alg: 'RS256', use: 'sig' }] }));
  const text = find('ConfigMap', 'rampart-config').data['rampart.json'].replace('/etc/rampart-keys/jwks.json', join(dir, 'jwks.json'));
  writeFileSync(join(dir, 'rampart.json'), text);
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', join(dir, 'rampart.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok \(1 endpoints\)/);
});

test('Service, HPA and PodDisruptionBudget select the gateway pods and keep replicas available', () => {
  const service = find('Service', 'rampart');
  assert.ok(matches(service.spec.selector, podLabels));
  assert.equal(service.spec.ports[0].targetPort, 'http');
  const hpa = find('HorizontalPodAutoscaler', 'rampart');
  assert.equal(hpa.spec.scaleTargetRef.kind, 'Deployment');
  assert.equal(hpa.spec.scaleTargetRef.name, 'rampart');
  assert.equal(hpa.spec.minReplicas, deployment.spec.replicas);
  assert.ok(hpa.spec.maxReplicas > hpa.spec.minReplicas);
  const pdb = find('PodDisruptionBudget', 'rampart');
  assert.ok(matches(pdb.spec.selector.matchLabels, podLabels));
  assert.ok(pdb.spec.maxUnavailable < deployment.spec.replicas);
});

test('NetworkPolicy: the gateway takes only its port and reaches only DNS, Redis and backends; only it reaches Redis', () => {
  const np = find('NetworkPolicy', 'rampart');
  assert.ok(matches(np.spec.podSelector.matchLabels, podLabels));
  assert.deepEqual([...np.spec.policyTypes].sort(), ['Egress', 'Ingress']);
  const ingressPorts = np.spec.ingress.flatMap((r: Doc) => r.ports.map((p: Doc) => p.port));
  assert.deepEqual(ingressPorts, [config.port]);
  const egressPorts = np.spec.egress.flatMap((r: Doc) => r.ports.map((p: Doc) => p.port));
  assert.ok(egressPorts.includes(53) && egressPorts.includes(6379));
  const redisNp = find('NetworkPolicy', 'redis');
  assert.deepEqual([...redisNp.spec.policyTypes].sort(), ['Egress', 'Ingress']);
  assert.deepEqual(redisNp.spec.egress, []);
  assert.ok(matches(redisNp.spec.ingress[0].from[0].podSelector.matchLabels, podLabels));
});

test('Redis: persistent, hardened, and at the address the config names', () => {
  const redis = find('StatefulSet', 'redis');
  const c = redis.spec.template.spec.containers[0];
  assert.ok(c.args.includes('--appendonly'), 'revocations survive a restart');
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  assert.equal(redis.spec.template.spec.securityContext.runAsNonRoot, true);
  const svc = find('Service', 'redis');
  const address = config.extra_config.redis.connection_pools[0].address;
  assert.equal(address, `${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:${svc.spec.ports[0].port}`);
});

test('the Dockerfile agrees: base arg, non-root user the pod runs as, port, config path, health check, SIGTERM', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^ARG BASE_IMAGE=node:20-slim$/m);
  assert.match(dockerfile, /^FROM \$\{BASE_IMAGE\} AS build$/m);
  const user = /^USER (\d+):(\d+)$/m.exec(dockerfile);
  assert.ok(user);
  assert.equal(Number(user[1]), pod.securityContext.runAsUser);
  assert.equal(Number(user[2]), pod.securityContext.runAsGroup);
  assert.match(dockerfile, new RegExp(`^EXPOSE ${config.port}$`, 'm'));
  assert.match(dockerfile, /RAMPART_CONFIG=\/etc\/rampart\/rampart\.json/);
  assert.match(dockerfile, /^STOPSIGNAL SIGTERM$/m);
  assert.match(dockerfile, /^HEALTHCHECK .*CMD \["node", "\/app\/healthcheck\.mjs"\]$/m);
  assert.match(dockerfile, /"npm", "ci", "--omit=dev"/);
  // Exec form everywhere at run time: no shell is needed to start or probe the gateway.
  assert.match(dockerfile, /^ENTRYPOINT \[/m);
  assert.match(dockerfile, /^CMD \[/m);
});
