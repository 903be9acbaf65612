// Validates deploy/ without a cluster or a Docker engine:
//  - every YAML file parses (strictly: duplicate keys are errors);
//  - every Kubernetes object validates against the Kubernetes 1.27 OpenAPI schemas bundled in
//    kubernetes-models (ServiceMonitor: the Prometheus Operator CRD schema), and carries no field
//    those schemas do not know (kubeconform --strict, done with the same validators);
//  - the invariants that make the manifests work together: probe paths and ports, grace periods,
//    selectors, appProtocol, env references, the kustomization listing every file;
//  - the Dockerfile's shape, and that its runtime package list covers `ldd` of the built binary;
//  - the real binary accepts the Kubernetes and compose configs, answers the probe paths, and the
//    Dockerfile's HEALTHCHECK command works against it;
//  - nginx: `nginx -t`, then the real nginx proxies WebSocket, the signed Pusher HTTP API and gRPC
//    over TLS to the real gateway; supervisord: the program section runs and stops the gateway
//    cleanly. Both skip with a message when the tool is not installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import Pusher from 'pusher';
import WebSocket from 'ws';
import YAML from 'yaml';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { GATEWAY_BIN } from './lib/gateway.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '../..');
const DEPLOY = join(REPO, 'deploy');
const K8S = join(DEPLOY, 'kubernetes');
const read = (path) => readFileSync(path, 'utf8');

// ------------------------------------------------------------------------------------------
// Loading

function walkFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walkFiles(path));
    else out.push(path);
  }
  return out.sort();
}

function parseYamlDocuments(path) {
  const docs = YAML.parseAllDocuments(read(path), { uniqueKeys: true, prettyErrors: true });
  const problems = docs.flatMap((d) => [...d.errors, ...d.warnings].map((e) => e.message));
  assert.deepEqual(problems, [], `${relative(REPO, path)} does not parse cleanly`);
  return docs.map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);
}

const MODELS = new Map([
  ['v1/Namespace', Namespace],
  ['v1/ServiceAccount', ServiceAccount],
  ['v1/ConfigMap', ConfigMap],
  ['v1/Secret', Secret],
  ['v1/Service', Service],
  ['apps/v1/Deployment', Deployment],
  ['policy/v1/PodDisruptionBudget', PodDisruptionBudget],
  ['autoscaling/v2/HorizontalPodAutoscaler', HorizontalPodAutoscaler],
  ['monitoring.coreos.com/v1/ServiceMonitor', ServiceMonitor],
]);

const jsonPointer = (path) =>
  path.map((k) => '/' + String(k).replaceAll('~', '~0').replaceAll('/', '~1')).join('');

function schemaErrors(Model, doc) {
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    return e.errors;
  }
}

// The bundled schemas, like the API server's OpenAPI, do not forbid unknown properties, so a
// misspelt field would validate. Probe each key instead: replace its value with a Symbol, which no
// typed schema accepts. A key the schema knows yields an error at exactly that path; an unknown
// key yields none.
function unknownFields(Model, doc) {
  const unknown = [];
  const visit = (node, path) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, i]));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      const at = [...path, key];
      const probe = structuredClone(doc);
      let parent = probe;
      for (const step of path) parent = parent[step];
      parent[key] = Symbol('probe');
      const pointer = jsonPointer(at);
      if (!schemaErrors(Model, probe).some((e) => e.instancePath === pointer)) {
        unknown.push(pointer);
        continue;
      }
      visit(node[key], at);
    }
  };
  visit(doc, []);
  return unknown;
}

const kustomization = parseYamlDocuments(join(K8S, 'kustomization.yaml'))[0];
const k8sObjects = kustomization.resources.flatMap((file) =>
  parseYamlDocuments(join(K8S, file)).map((object) => ({ file, object })),
);
const objectsOf = (kind) => k8sObjects.filter(({ object }) => object.kind === kind).map((o) => o.object);
const theOne = (kind) => {
  const all = objectsOf(kind);
  assert.equal(all.length, 1, `expected exactly one ${kind}`);
  return all[0];
};

const deployment = theOne('Deployment');
const podSpec = deployment.spec.template.spec;
const container = podSpec.containers.find((c) => c.name === 'gateway');
const configMap = theOne('ConfigMap');
const k8sConfig = JSON.parse(configMap.data['gateway.json']);
const k8sSecret = theOne('Secret');
const services = objectsOf('Service');
const GRACE_DEFAULT = 10; // shutdown_grace_seconds when a config does not set it

const matches = (selector, labels) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function containerPort(port) {
  const found = container.ports.find((p) => p.name === port || p.containerPort === port);
  assert.ok(found, `port ${port} is not a port of container "gateway"`);
  return found.containerPort;
}

function preStopSleepSeconds() {
  const preStop = container.lifecycle?.preStop;
  if (!preStop) return 0;
  if (preStop.sleep) return preStop.sleep.seconds;
  const [cmd, seconds] = preStop.exec.command;
  assert.equal(cmd, 'sleep', 'preStop exec is a plain sleep');
  return Number(seconds);
}

const durationSeconds = (text) => {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(String(text).trim());
  assert.ok(m, `duration ${text}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 's'];
};

// The Dockerfile, instruction by instruction (continuations joined, comments dropped).
const dockerfile = (() => {
  const text = read(join(DEPLOY, 'Dockerfile')).replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const globalArgs = {};
  const stages = [];
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const upper = instruction.toUpperCase();
    if (upper === 'FROM') {
      const [image, , name] = rest;
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_, v) => globalArgs[v] ?? '');
      stages.push({ image: resolved, name, instructions: [] });
    } else if (upper === 'ARG' && stages.length === 0) {
      const m = /^(\w+)=(?:"([^"]*)"|(\S*))$/.exec(args);
      if (m) globalArgs[m[1]] = m[2] ?? m[3];
    } else {
      stages.at(-1).instructions.push({ instruction: upper, args });
    }
  }
  const final = stages.at(-1);
  const last = (name) => final.instructions.filter((i) => i.instruction === name).at(-1)?.args;
  return {
    stages,
    globalArgs,
    runtimeUser: last('USER'),
    exposed: final.instructions
      .filter((i) => i.instruction === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/))
      .map((p) => p.split('/')[0]),
    entrypoint: JSON.parse(last('ENTRYPOINT')),
    cmd: JSON.parse(last('CMD')),
    healthcheck: JSON.parse(last('HEALTHCHECK').replace(/^.*?CMD\s+/, '')),
    runtimePackages: globalArgs.RUNTIME_PACKAGES.split(/\s+/),
  };
})();

// ------------------------------------------------------------------------------------------
// Running things

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((res) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        res(true);
      });
      socket.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const haveBinary = existsSync(GATEWAY_BIN);
const NO_BINARY = haveBinary ? false : `no gateway binary at ${GATEWAY_BIN} (build it, or set GATEWAY_BIN)`;
const which = (tool, paths = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin', '/usr/local/sbin']) =>
  paths.map((p) => join(p, tool)).find((p) => existsSync(p));

// Starts the binary on a config file as deploy/ ships it; only host and ports come from flags,
// so it runs next to other tests. Resolves with the "listening" line and the "app" lines.
async function runGateway(configPath, env = {}) {
  const proc = spawn(
    GATEWAY_BIN,
    ['--config', configPath, '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0',
      '--operator-host', '127.0.0.1', '--operator-port', '0'],
    { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const lines = [];
  const listening = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`gateway did not start; stderr:\n${stderr}`)), 15000);
    createInterface({ input: proc.stdout }).on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      lines.push(entry);
      if (entry.msg === 'listening') {
        clearTimeout(timer);
        res(entry);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`gateway exited (${code ?? signal}) at start: ${stderr}`));
    });
  });
  return {
    proc,
    lines,
    exited,
    port: listening.port,
    grpcPort: listening.grpc_port,
    operatorPort: listening.operator_port,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 30000);
      const result = await exited;
      clearTimeout(killer);
      return result;
    },
  };
}

// grpc.health.v1.Health/Check for the whole server (empty request). The reply for SERVING is
// the two bytes 08 01 (field 1, varint 1); no generated code needed.
function grpcHealthCheck(target, credentials = grpc.credentials.createInsecure(), options = {}) {
  const client = new grpc.Client(target, credentials, options);
  return new Promise((res, rej) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (b) => b,
      (b) => b,
      Buffer.alloc(0),
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (err, reply) => {
        client.close();
        if (err) rej(err);
        else res(reply);
      },
    );
  });
}
const SERVING = Buffer.from([0x08, 0x01]);

function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // nginx workers (nobody, when the test runs as root) read below it
  return dir;
}

// ------------------------------------------------------------------------------------------

describe('every YAML file in deploy/', () => {
  const files = walkFiles(DEPLOY).filter((f) => /\.ya?ml$/.test(f));

  test('there are YAML files to check', () => {
    assert.ok(files.length >= 10, `found only ${files.length}`);
  });

  for (const file of files) {
    test(`${relative(REPO, file)} parses`, () => {
      assert.ok(parseYamlDocuments(file).length >= 1, 'holds at least one document');
    });
  }
});

describe('Kubernetes manifests: schemas', () => {
  for (const { file, object } of k8sObjects) {
    const id = `${file}: ${object.kind}/${object.metadata?.name}`;
    const Model = MODELS.get(`${object.apiVersion}/${object.kind}`);

    test(`${id} validates against its schema`, () => {
      assert.ok(Model, `no bundled schema for ${object.apiVersion} ${object.kind}`);
      const errors = schemaErrors(Model, object).map((e) => `${e.instancePath} ${e.message}`);
      assert.deepEqual(errors, []);
    });

    test(`${id} has no field its schema does not know`, () => {
      assert.deepEqual(unknownFields(Model, object), []);
    });
  }

  test('the unknown-field check catches a misspelt field', () => {
    const broken = structuredClone(deployment);
    broken.spec.template.spec.containers[0].readinesProbe = { httpGet: { path: '/readyz', port: 6001 } };
    assert.deepEqual(unknownFields(Deployment, broken), ['/spec/template/spec/containers/0/readinesProbe']);
  });
});

describe('Kubernetes manifests: invariants', () => {
  test('kustomization.yaml lists every manifest in the folder, and only those', () => {
    const onDisk = readdirSync(K8S)
      .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
      .sort();
    assert.deepEqual([...kustomization.resources].sort(), onDisk);
  });

  test('the kustomization namespace is the Namespace it creates', () => {
    assert.equal(theOne('Namespace').metadata.name, kustomization.namespace);
  });

  test('the kustomization image entry rewrites the gateway image', () => {
    assert.ok(kustomization.images.some((i) => i.name === container.image));
  });

  test('kubectl kustomize builds the folder (when kubectl is installed)', (t) => {
    const kubectl = which('kubectl');
    if (!kubectl) return t.skip('kubectl not installed');
    const run = spawnSync(kubectl, ['kustomize', K8S], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const built = YAML.parseAllDocuments(run.stdout).map((d) => d.toJS());
    assert.equal(built.length, k8sObjects.length);
    for (const object of built) {
      if (object.kind !== 'Namespace') assert.equal(object.metadata.namespace, kustomization.namespace);
    }
  });

  test('several replicas, one cluster: REDIS_URL from the Secret, HPA and PDB for many pods', () => {
    assert.ok(deployment.spec.replicas >= 2);
    const hpa = theOne('HorizontalPodAutoscaler');
    assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
    const redis = container.env.find((e) => e.name === 'REDIS_URL');
    assert.ok(redis?.valueFrom?.secretKeyRef, 'REDIS_URL comes from a Secret, never a literal');
    assert.match(k8sSecret.stringData[redis.valueFrom.secretKeyRef.key], /^rediss?:\/\//);
    assert.equal(theOne('PodDisruptionBudget').spec.maxUnavailable, 1);
  });

  test('the HPA scales the Deployment on CPU and memory', () => {
    const hpa = theOne('HorizontalPodAutoscaler');
    assert.equal(hpa.spec.scaleTargetRef.kind, 'Deployment');
    assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
    const resources = hpa.spec.metrics.filter((m) => m.type === 'Resource').map((m) => m.resource.name);
    assert.deepEqual(resources.sort(), ['cpu', 'memory']);
  });

  test('the Deployment selector matches its own pod labels', () => {
    assert.ok(matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
  });

  test('the PDB selects the Deployment pods', () => {
    const pdb = theOne('PodDisruptionBudget');
    assert.ok(matches(pdb.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
  });

  test('every Service selects the Deployment pods, and every port has appProtocol and a real target', () => {
    assert.ok(services.length >= 1);
    for (const service of services) {
      assert.ok(matches(service.spec.selector, deployment.spec.template.metadata.labels), service.metadata.name);
      for (const port of service.spec.ports) {
        const want = port.name.startsWith('grpc') ? 'grpc' : 'http';
        assert.equal(port.appProtocol, want, `${service.metadata.name} port ${port.name}`);
        containerPort(port.targetPort);
      }
    }
  });

  test('the Services expose the config port as http and the gRPC port as grpc', () => {
    const byProtocol = Object.fromEntries(
      services
        .filter((s) => s.metadata.labels['app.kubernetes.io/component'] !== 'metrics')
        .flatMap((s) => s.spec.ports)
        .map((p) => [p.appProtocol, containerPort(p.targetPort)]),
    );
    assert.equal(byProtocol.http, k8sConfig.port ?? 6001);
    assert.equal(byProtocol.grpc, k8sConfig.grpc_port ?? 50051);
  });

  test('the ServiceMonitor selects the Service that carries the operator port, and only that', () => {
    const monitor = theOne('ServiceMonitor');
    const selected = services.filter((s) => matches(monitor.spec.selector.matchLabels, s.metadata.labels));
    assert.equal(selected.length, 1, 'exactly one Service');
    for (const endpoint of monitor.spec.endpoints) {
      const port = selected[0].spec.ports.find((p) => p.name === endpoint.port);
      assert.ok(port, `Service has a port named ${endpoint.port}`);
      assert.equal(containerPort(port.targetPort), k8sConfig.operator_port ?? 9601);
      assert.equal(endpoint.path, '/metrics');
    }
    // In-cluster scrapes reach it only if it listens beyond the pod's loopback.
    assert.equal(k8sConfig.operator_host, '0.0.0.0');
  });

  test('the operator port is on no Service but the metrics one (an Ingress never exposes it)', () => {
    for (const service of services) {
      if (service.metadata.labels['app.kubernetes.io/component'] === 'metrics') continue;
      for (const port of service.spec.ports) {
        assert.notEqual(containerPort(port.targetPort), k8sConfig.operator_port ?? 9601, service.metadata.name);
      }
    }
  });

  test('probes: startup and liveness on /livez, readiness on /readyz, all on the config port', () => {
    const { startupProbe, livenessProbe, readinessProbe } = container;
    assert.equal(livenessProbe.httpGet.path, '/livez');
    assert.equal(readinessProbe.httpGet.path, '/readyz');
    assert.ok(['/livez', '/readyz', '/up'].includes(startupProbe.httpGet.path));
    for (const probe of [startupProbe, livenessProbe, readinessProbe]) {
      assert.equal(containerPort(probe.httpGet.port), k8sConfig.port ?? 6001);
    }
  });

  test('terminationGracePeriodSeconds outlasts preStop plus shutdown_grace_seconds', () => {
    const grace = k8sConfig.shutdown_grace_seconds ?? GRACE_DEFAULT;
    const preStop = preStopSleepSeconds();
    assert.ok(preStop > 0, 'a preStop sleep lets endpoint removal propagate');
    assert.ok(
      podSpec.terminationGracePeriodSeconds > preStop + grace,
      `${podSpec.terminationGracePeriodSeconds} > ${preStop} + ${grace}`,
    );
  });

  test('runs as the image user, non-root, read-only, without capabilities', () => {
    const pod = podSpec.securityContext ?? {};
    const own = container.securityContext ?? {};
    assert.equal(own.runAsNonRoot ?? pod.runAsNonRoot, true);
    const uid = own.runAsUser ?? pod.runAsUser;
    assert.equal(String(uid), dockerfile.runtimeUser.split(':')[0]);
    assert.equal(own.readOnlyRootFilesystem, true);
    assert.equal(own.allowPrivilegeEscalation, false);
    assert.deepEqual(own.capabilities?.drop, ['ALL']);
  });

  test('resources: memory request and limit, no CPU limit', () => {
    const { requests, limits } = container.resources;
    assert.ok(requests.memory && limits.memory);
    assert.ok(requests.cpu, 'a CPU request for scheduling');
    assert.equal(limits.cpu, undefined);
  });

  test('the config file path in args is a key of the mounted ConfigMap', () => {
    const configArg = container.args[container.args.indexOf('--config') + 1];
    const mount = container.volumeMounts.find((m) => configArg.startsWith(m.mountPath + '/'));
    assert.ok(mount, `${configArg} is under a volume mount`);
    const volume = podSpec.volumes.find((v) => v.name === mount.name);
    assert.equal(volume.configMap.name, configMap.metadata.name);
    assert.ok(configArg.slice(mount.mountPath.length + 1) in configMap.data);
  });

  test('secret references name keys of the Secret, and its app id is the ConfigMap app', () => {
    const refs = container.env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.valueFrom.secretKeyRef);
    assert.deepEqual(
      refs.map((r) => r.key).sort(),
      ['PUSHER_APP_ID', 'PUSHER_APP_KEY', 'PUSHER_APP_SECRET', 'REDIS_URL'],
    );
    for (const ref of refs) {
      assert.equal(ref.name, k8sSecret.metadata.name);
      assert.ok(ref.key in k8sSecret.stringData);
    }
    // The ConfigMap's app carries placeholder credentials that the Secret replaces: only an env
    // app with the same id does that.
    assert.deepEqual(
      k8sConfig.apps.map((a) => a.id),
      [k8sSecret.stringData.PUSHER_APP_ID],
    );
  });

  test('$(VAR) in env values names a variable defined earlier (Kubernetes expands nothing else)', () => {
    const defined = new Set();
    for (const { name, value } of container.env) {
      for (const [, ref] of String(value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
        assert.ok(defined.has(ref), `${name} uses $(${ref}) before it is defined`);
      }
      defined.add(name);
    }
  });

  test('OTEL_* env: an OTLP/gRPC endpoint on 4317, a service name, a sampler', () => {
    const env = Object.fromEntries(container.env.filter((e) => 'value' in e).map((e) => [e.name, e.value]));
    const endpoint = new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT);
    assert.equal(endpoint.port, '4317');
    assert.equal(env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'grpc', 'grpc');
    assert.equal(env.OTEL_SERVICE_NAME, 'realtime-gateway');
    assert.ok(env.OTEL_TRACES_SAMPLER);
    assert.match(env.OTEL_RESOURCE_ATTRIBUTES, /^([\w.]+=[^,]+)(,[\w.]+=[^,]+)*$/);
  });

  test('mesh settings: Istio and Linkerd injection, proxies outlive the drain', () => {
    const { labels, annotations } = deployment.spec.template.metadata;
    assert.equal(labels['sidecar.istio.io/inject'], 'true');
    assert.equal(annotations['linkerd.io/inject'], 'enabled');
    const istio = YAML.parse(annotations['proxy.istio.io/config']);
    const drain = preStopSleepSeconds() + (k8sConfig.shutdown_grace_seconds ?? GRACE_DEFAULT);
    assert.ok(durationSeconds(istio.terminationDrainDuration) >= drain);
    assert.ok(durationSeconds(istio.terminationDrainDuration) < podSpec.terminationGracePeriodSeconds);
    const linkerdWait = Number(annotations['config.alpha.linkerd.io/proxy-wait-before-exit-seconds']);
    assert.ok(linkerdWait >= drain && linkerdWait < podSpec.terminationGracePeriodSeconds);
  });

  test('the service account exists and mounts no API token', () => {
    const account = theOne('ServiceAccount');
    assert.equal(podSpec.serviceAccountName, account.metadata.name);
    assert.equal(podSpec.automountServiceAccountToken, false);
  });
});

// ------------------------------------------------------------------------------------------
// Dockerfile


describe('Dockerfile', () => {
  test('multi-stage, every stage on Debian 12 (bookworm)', () => {
    assert.ok(dockerfile.stages.length >= 2);
    for (const stage of dockerfile.stages) assert.match(stage.image, /^debian:bookworm(-slim)?(@sha256:[0-9a-f]{64})?$/);
  });

  test('the builder installs with .ci/install-deps and builds the release preset', () => {
    const build = dockerfile.stages[0].instructions.filter((i) => i.instruction === 'RUN').map((i) => i.args).join('\n');
    assert.match(build, /\.ci\/install-deps/);
    assert.match(build, /cmake --preset release/);
    assert.match(build, /cmake --build --preset release --target realtime-gateway/);
  });

  test('the builder copies every folder the release build configures, none of them ignored', () => {
    const copied = dockerfile.stages[0].instructions
      .filter((i) => i.instruction === 'COPY')
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    const presets = JSON.parse(read(join(REPO, 'CMakePresets.json')));
    const release = presets.configurePresets.find((p) => p.name === 'release');
    assert.equal(release.cacheVariables.GW_BUILD_TESTS, 'OFF', 'tests/ is not configured');
    const subdirs = [...read(join(REPO, 'CMakeLists.txt')).matchAll(/add_subdirectory\((\w+)\)/g)]
      .map((m) => m[1])
      .filter((d) => d !== 'tests');
    for (const needed of ['CMakeLists.txt', 'CMakePresets.json', '.ci/install-deps', ...subdirs]) {
      assert.ok(copied.includes(needed), `COPY ${needed}`);
    }
    const ignore = read(join(DEPLOY, 'Dockerfile.dockerignore'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const ignored = (path) => {
      let out = false;
      for (const raw of ignore) {
        const negate = raw.startsWith('!');
        const pattern = negate ? raw.slice(1) : raw;
        const re = new RegExp(
          '^' +
            pattern
              .replace(/[.+^$()|[\]\\]/g, '\\$&')
              .replace(/\*\*\//g, '\u0000')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]')
              .replaceAll('\u0000', '(?:.*/)?') +
            '(?:/.*)?$',
        );
        if (re.test(path)) out = !negate;
      }
      return out;
    };
    for (const source of copied) {
      assert.ok(existsSync(join(REPO, source)), `${source} exists`);
      assert.ok(!ignored(source), `${source} is not excluded by Dockerfile.dockerignore`);
    }
    for (const heavy of ['build', 'build-release', 'tests/conformance/node_modules', '.git']) {
      assert.ok(ignored(heavy), `${heavy} stays out of the build context`);
    }
  });

  test('runtime: non-root numeric USER, ports, entrypoint, default CMD, HEALTHCHECK', () => {
    const [uid, gid] = dockerfile.runtimeUser.split(':');
    assert.match(uid, /^\d+$/, 'numeric, so runAsNonRoot can verify it');
    assert.notEqual(Number(uid), 0);
    assert.notEqual(Number(gid ?? 1), 0);
    assert.deepEqual([...dockerfile.exposed].sort(), ['50051', '6001', '9601']);
    const copy = dockerfile.stages.at(-1).instructions.find((i) => i.instruction === 'COPY' && /--from=/.test(i.args));
    const [, from, to] = copy.args.split(/\s+/);
    assert.equal(from, '/src/build-release/gateway/realtime-gateway');
    assert.deepEqual(dockerfile.entrypoint, [to]);
    assert.deepEqual(dockerfile.cmd, ['--host', '0.0.0.0']);
    assert.equal(dockerfile.healthcheck[0], 'bash', 'bash is part of the Debian base image');
  });

  test('the runtime packages provide every shared library of the built binary', { skip: NO_BINARY }, (t) => {
    if (!which('ldd') || !which('dpkg')) return t.skip('ldd or dpkg missing (not a Debian system)');
    const ldd = spawnSync('ldd', [GATEWAY_BIN], { encoding: 'utf8' });
    assert.equal(ldd.status, 0, ldd.stderr);
    assert.doesNotMatch(ldd.stdout, /not found/);
    // The sanitizer builds (tests/README.md) link their runtimes, which no release image has.
    if (/lib(a|t|ub)san\.so/.test(ldd.stdout)) return t.skip('a sanitizer build');
    const libraries = [...ldd.stdout.matchAll(/=>\s+(\/\S+)/g)].map((m) => m[1]);
    assert.ok(libraries.length > 5);
    const owners = new Set();
    for (const library of libraries) {
      let run = spawnSync('dpkg', ['-S', library], { encoding: 'utf8' });
      if (run.status !== 0) {
        const real = spawnSync('readlink', ['-f', library], { encoding: 'utf8' }).stdout.trim();
        run = spawnSync('dpkg', ['-S', real], { encoding: 'utf8' });
      }
      assert.equal(run.status, 0, `no Debian package owns ${library}`);
      owners.add(run.stdout.split(':')[0]);
    }
    const missing = [...owners].filter((p) => !dockerfile.runtimePackages.includes(p));
    assert.deepEqual(missing, [], 'add these to RUNTIME_PACKAGES in deploy/Dockerfile');
  });
});

// ------------------------------------------------------------------------------------------
// compose

describe('compose', () => {
  const compose = parseYamlDocuments(join(DEPLOY, 'compose.yaml'))[0];
  const gateway = compose.services.gateway;
  const collectorConfig = parseYamlDocuments(join(DEPLOY, 'compose/otel-collector.yaml'))[0];
  const prometheus = parseYamlDocuments(join(DEPLOY, 'compose/prometheus.yml'))[0];
  const composeConfig = JSON.parse(read(join(DEPLOY, 'compose/gateway.json')));

  test('the gateway builds from deploy/Dockerfile with the repository as context', () => {
    assert.equal(resolve(DEPLOY, gateway.build.context), REPO);
    assert.equal(gateway.build.dockerfile, 'deploy/Dockerfile');
  });

  test('every bind-mounted file exists', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0];
        if (source.startsWith('.')) assert.ok(existsSync(resolve(DEPLOY, source)), `${name}: ${source}`);
      }
    }
  });

  test('the gateway reads the mounted config, stops gracefully, has file descriptors', () => {
    const configArg = gateway.command[gateway.command.indexOf('--config') + 1];
    assert.ok(gateway.volumes.some((v) => v.split(':')[1] === configArg));
    const grace = composeConfig.shutdown_grace_seconds ?? GRACE_DEFAULT;
    assert.ok(durationSeconds(gateway.stop_grace_period) > grace);
    assert.ok(gateway.ulimits.nofile.soft >= 100000);
    assert.equal(gateway.read_only, true);
  });

  test('OTLP goes to the collector, whose traces pipeline reaches debug and Jaeger', () => {
    const endpoint = new URL(gateway.environment.OTEL_EXPORTER_OTLP_ENDPOINT);
    assert.ok(endpoint.hostname in compose.services, `${endpoint.hostname} is a compose service`);
    assert.match(compose.services[endpoint.hostname].image, /^otel\/opentelemetry-collector-contrib:\d/);
    assert.equal(collectorConfig.receivers.otlp.protocols.grpc.endpoint, `0.0.0.0:${endpoint.port}`);
    const pipeline = collectorConfig.service.pipelines.traces;
    assert.ok(pipeline.receivers.includes('otlp'));
    for (const p of pipeline.processors) assert.ok(p in collectorConfig.processors, `processor ${p}`);
    for (const e of pipeline.exporters) assert.ok(e in collectorConfig.exporters, `exporter ${e}`);
    assert.ok(pipeline.exporters.includes('debug'));
    const jaeger = pipeline.exporters.map((e) => collectorConfig.exporters[e]?.endpoint).filter(Boolean);
    assert.ok(jaeger.some((ep) => ep.split(':')[0] in compose.services), 'an exporter reaches a compose service');
  });

  test('Prometheus scrapes every gateway replica /metrics on its operator port', () => {
    const job = prometheus.scrape_configs.find((j) =>
      (j.dns_sd_configs ?? []).some(
        (s) =>
          s.names.includes('gateway') && s.type === 'A' && s.port === (composeConfig.operator_port ?? 9601),
      ),
    );
    assert.ok(job, 'found by DNS: one A record per replica');
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
  });

  test('three replicas over the compose Redis, behind nginx', () => {
    assert.equal(gateway.deploy.replicas, 3);
    const redisUrl = new URL(gateway.environment.REDIS_URL);
    assert.ok(redisUrl.hostname in compose.services, 'REDIS_URL names a compose service');
    assert.match(compose.services[redisUrl.hostname].image, /^redis:7\./);
    assert.ok(gateway.depends_on.includes(redisUrl.hostname));
    assert.equal(gateway.ports, undefined, 'replicas cannot share host ports: nginx is the front door');
    const nginx = compose.services.nginx;
    const conf = read(join(DEPLOY, 'compose/nginx.conf'));
    const port = composeConfig.port ?? 6001;
    const grpcPort = composeConfig.grpc_port ?? 50051;
    assert.ok(conf.includes(`server gateway:${port};`) && conf.includes(`server gateway:${grpcPort};`));
    assert.ok(/proxy_set_header Upgrade \$http_upgrade;/.test(conf), 'WebSocket upgrades pass');
    assert.ok(/grpc_pass grpc:\/\/realtime_gateway_grpc;/.test(conf));
    assert.ok(nginx.ports.includes(`${port}:${port}`) && nginx.ports.includes(`${grpcPort}:${grpcPort}`));
  });
});

// ------------------------------------------------------------------------------------------
// The real binary with the shipped configs

describe('the gateway binary with the deploy/ configs', { skip: NO_BINARY }, () => {
  let dir;
  before(() => {
    dir = tempDir('rtgw-deploy-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the Kubernetes ConfigMap + Secret start it; probes, gRPC health and HEALTHCHECK pass; SIGTERM exits in time', async () => {
    const configPath = join(dir, 'k8s-gateway.json');
    writeFileSync(configPath, configMap.data['gateway.json']);
    const gw = await runGateway(configPath, k8sSecret.stringData);
    try {
      const app = gw.lines.find((l) => l.msg === 'app');
      assert.equal(app.id, k8sSecret.stringData.PUSHER_APP_ID);
      assert.equal(app.key, k8sSecret.stringData.PUSHER_APP_KEY, 'the Secret replaced the placeholder key');
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        const res = await fetch(`http://127.0.0.1:${gw.port}${probe.httpGet.path}`);
        assert.equal(res.status, 200, probe.httpGet.path);
      }
      assert.deepEqual(await grpcHealthCheck(`127.0.0.1:${gw.grpcPort}`), SERVING);
      const [shell, ...args] = dockerfile.healthcheck;
      const healthy = spawnSync(shell, args, { env: { PATH: process.env.PATH, REALTIME_PORT: String(gw.port) } });
      assert.equal(healthy.status, 0, `HEALTHCHECK against a serving gateway: ${healthy.stderr}`);
      const closed = await freePort();
      const unhealthy = spawnSync(shell, args, { env: { PATH: process.env.PATH, REALTIME_PORT: String(closed) } });
      assert.notEqual(unhealthy.status, 0, 'HEALTHCHECK fails when nothing answers');
    } finally {
      const started = Date.now();
      const { code } = await gw.stop();
      assert.equal(code, 0);
      assert.ok(Date.now() - started < (k8sConfig.shutdown_grace_seconds ?? GRACE_DEFAULT) * 1000);
    }
  });

  test('the compose gateway.json starts it', async () => {
    const gw = await runGateway(join(DEPLOY, 'compose/gateway.json'));
    try {
      const res = await fetch(`http://127.0.0.1:${gw.port}/readyz`);
      assert.equal(res.status, 200);
    } finally {
      assert.equal((await gw.stop()).code, 0);
    }
  });

  test('GET /metrics answers Prometheus text on the operator port, not on the public one', async () => {
    const gw = await runGateway(join(DEPLOY, 'compose/gateway.json'));
    try {
      const res = await fetch(`http://127.0.0.1:${gw.operatorPort}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^text\/plain/);
      assert.equal((await fetch(`http://127.0.0.1:${gw.port}/metrics`)).status, 404);
    } finally {
      await gw.stop();
    }
  });
});

// ------------------------------------------------------------------------------------------
// nginx

// A minimal nginx config block parser: enough to follow directive inheritance.
function parseNginx(text) {
  const tokens = [];
  const re = /#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};#"']+)/g;
  for (const m of text.matchAll(re)) {
    if (m[0].startsWith('#')) continue;
    tokens.push(m[3] ? { punct: m[3] } : { word: m[1] ?? m[2] ?? m[4] });
  }
  let i = 0;
  const block = () => {
    const out = [];
    while (i < tokens.length) {
      if (tokens[i].punct === '}') {
        i++;
        return out;
      }
      const words = [];
      while (tokens[i] && !tokens[i].punct) words.push(tokens[i++].word);
      const end = tokens[i++];
      const directive = { name: words[0], args: words.slice(1) };
      if (end?.punct === '{') directive.block = block();
      out.push(directive);
    }
    return out;
  };
  return block();
}

describe('nginx example', () => {
  const confPath = join(DEPLOY, 'nginx/realtime-gateway.conf');
  const text = read(confPath);
  const top = parseNginx(text);
  const servers = top.filter((d) => d.name === 'server');
  const listensTls = (s) => s.block.some((d) => d.name === 'listen' && d.args.includes('ssl'));
  const wsServer = servers.find((s) => listensTls(s) && s.block.some((d) => d.name === 'location' && d.args.includes('/app/')));
  const grpcServer = servers.find((s) => s.block.some((d) => d.name === 'location' && d.block.some((x) => x.name === 'grpc_pass')));

  // proxy_set_header and proxy_http_version as a location really gets them: nginx inherits the
  // server's proxy_set_header list only when the location sets none of its own.
  const effective = (server, location, name) => {
    const own = location.block.filter((d) => d.name === name);
    return own.length ? own : server.block.filter((d) => d.name === name);
  };
  const headers = (server, location) =>
    Object.fromEntries(effective(server, location, 'proxy_set_header').map((d) => [d.args[0].toLowerCase(), d.args[1]]));

  test('upstreams point at the gateway ports', () => {
    const upstreams = Object.fromEntries(top.filter((d) => d.name === 'upstream').map((u) => [u.args[0], u.block.find((d) => d.name === 'server').args[0]]));
    assert.ok(Object.values(upstreams).includes('127.0.0.1:6001'));
    assert.ok(Object.values(upstreams).includes('127.0.0.1:50051'));
  });

  test('TLS vhost: WebSocket upgrade, HTTP/1.1, X-Forwarded-For and the API on every proxied location', () => {
    assert.ok(wsServer, 'a TLS server with location /app/');
    const map = top.find((d) => d.name === 'map' && d.args[0] === '$http_upgrade');
    assert.ok(map, 'map $http_upgrade');
    const upgradeVar = map.args[1];
    assert.deepEqual(map.block.find((d) => d.name === 'default').args, ['upgrade']);
    const locations = wsServer.block.filter((d) => d.name === 'location');
    const paths = locations.map((l) => l.args.at(-1));
    assert.ok(paths.includes('/apps/'), 'the Pusher HTTP API is proxied');
    assert.ok(paths.some((p) => /readyz/.test(p)), 'health is proxied');
    for (const location of locations.filter((l) => l.block.some((d) => d.name === 'proxy_pass'))) {
      const where = `location ${location.args.join(' ')}`;
      const proxyPass = location.block.find((d) => d.name === 'proxy_pass').args[0];
      assert.match(proxyPass, /^http:\/\/[\w.]+$/, `${where}: proxy_pass without a URI keeps the signed path`);
      assert.deepEqual(effective(wsServer, location, 'proxy_http_version').at(-1)?.args, ['1.1'], where);
      const h = headers(wsServer, location);
      assert.equal(h['x-forwarded-for'], '$proxy_add_x_forwarded_for', where);
      assert.equal(h.host, '$host', where);
      if (paths[locations.indexOf(location)] === '/app/') {
        assert.equal(h.upgrade, '$http_upgrade', where);
        assert.equal(h.connection, upgradeVar, where);
        const timeout = location.block.find((d) => d.name === 'proxy_read_timeout');
        assert.ok(durationSeconds(timeout.args[0]) >= 120, `${where}: proxy_read_timeout outlasts the Pusher ping cycle`);
      }
    }
  });

  test('a gRPC vhost proxies to the gRPC upstream over HTTP/2', () => {
    assert.ok(grpcServer);
    assert.ok(grpcServer.block.some((d) => d.name === 'listen' && d.args.includes('http2')));
  });

  const nginx = which('nginx');
  const openssl = which('openssl');
  const NO_NGINX = !nginx ? 'nginx not installed (.ci/install-deps --with-test-tools installs it)' : !openssl ? 'openssl not installed' : false;

  // The example with only what cannot work here replaced: certificate paths (self-signed ones),
  // listen ports (free ones on 127.0.0.1, IPv4 only) and upstream ports (a running gateway).
  function localCopy(dir, ports) {
    let local = text;
    const replace = (re, to) => {
      assert.match(local, re, `the example still has ${re}`);
      local = local.replace(re, to);
    };
    for (const [, host] of local.matchAll(/ssl_certificate\s+\/etc\/nginx\/tls\/([\w.-]+)\.crt;/g)) {
      const made = spawnSync(openssl, [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${host}`,
        '-addext', `subjectAltName=DNS:${host}`,
        '-keyout', join(dir, `${host}.key`), '-out', join(dir, `${host}.crt`),
      ]);
      assert.equal(made.status, 0, String(made.stderr));
    }
    replace(/\/etc\/nginx\/tls\//g, `${dir}/`);
    replace(/^\s*listen \[::\]:\d+.*$/gm, '');
    replace(/listen 80;/g, `listen 127.0.0.1:${ports.http};`);
    replace(/listen 443 ssl http2;/g, `listen 127.0.0.1:${ports.https} ssl http2;`);
    if (ports.gateway) {
      replace(/server 127\.0\.0\.1:6001;/, `server 127.0.0.1:${ports.gateway};`);
      replace(/server 127\.0\.0\.1:50051;/, `server 127.0.0.1:${ports.grpc};`);
      replace(/server 127\.0\.0\.1:9601;/, `server 127.0.0.1:${ports.operator};`);
    }
    writeFileSync(join(dir, 'site.conf'), local);
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      mkdirSync(join(dir, sub), { recursive: true });
      chmodSync(join(dir, sub), 0o777);
    }
    const main = join(dir, 'nginx.conf');
    writeFileSync(
      main,
      [
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log;`,
        'events {}',
        'http {',
        `  client_body_temp_path ${dir}/body;`,
        `  proxy_temp_path ${dir}/proxy;`,
        `  fastcgi_temp_path ${dir}/fastcgi;`,
        `  uwsgi_temp_path ${dir}/uwsgi;`,
        `  scgi_temp_path ${dir}/scgi;`,
        '  access_log off;',
        `  include ${dir}/site.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    return main;
  }

  test('nginx -t accepts it', { skip: NO_NGINX }, async () => {
    const dir = tempDir('rtgw-nginx-t-');
    try {
      const main = localCopy(dir, { http: await freePort(), https: await freePort() });
      const run = spawnSync(nginx, ['-t', '-p', dir, '-c', main, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /test is successful/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the real nginx proxies wss://, the signed HTTP API, health and gRPC to the gateway', { skip: NO_NGINX || NO_BINARY }, async () => {
    const dir = tempDir('rtgw-nginx-');
    const app = JSON.parse(read(join(DEPLOY, 'compose/gateway.json'))).apps[0];
    const gw = await runGateway(join(DEPLOY, 'compose/gateway.json'));
    const ports = {
      http: await freePort(), https: await freePort(), gateway: gw.port, grpc: gw.grpcPort, operator: gw.operatorPort,
    };
    const main = localCopy(dir, ports);
    const proxy = spawn(nginx, ['-p', dir, '-c', main, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let proxyErr = '';
    proxy.stderr.on('data', (c) => (proxyErr += c));
    const proxyExited = new Promise((res) => proxy.on('exit', res));
    let ws;
    try {
      await waitForPort(ports.https);
      const ca = readFileSync(join(dir, 'realtime.example.com.crt'));
      const tls = { ca, servername: 'realtime.example.com' };

      // Plain HTTP: health for load balancers, everything else redirected to TLS.
      assert.equal((await fetch(`http://127.0.0.1:${ports.http}/up`)).status, 200);
      const redirect = await fetch(`http://127.0.0.1:${ports.http}/app/x`, { redirect: 'manual' });
      assert.equal(redirect.status, 301);

      // Health over TLS.
      const get = (path) =>
        new Promise((res, rej) => {
          https.get({ host: '127.0.0.1', port: ports.https, path, ...tls, headers: { host: 'realtime.example.com' } }, (r) => {
            r.resume();
            r.on('end', () => res(r.statusCode));
          }).on('error', rej);
        });
      assert.equal(await get('/readyz'), 200);
      assert.equal(await get('/livez'), 200);
      assert.equal(await get('/nothing-here'), 404);

      // WebSocket through the proxy: connect, subscribe to a public channel.
      ws = new WebSocket(
        `wss://127.0.0.1:${ports.https}/app/${app.key}?protocol=7&client=js&version=8.6.0&flash=false`,
        { ...tls, headers: { host: 'realtime.example.com' } },
      );
      const inbox = [];
      const waiters = [];
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw));
        inbox.push(msg);
        for (const w of [...waiters]) if (w.match(msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      });
      const next = (match, what) =>
        new Promise((res, rej) => {
          const found = inbox.find(match);
          if (found) return res(found);
          const timer = setTimeout(() => rej(new Error(`no ${what} through nginx`)), 5000);
          waiters.push({ match, resolve: (m) => (clearTimeout(timer), res(m)) });
        });
      await next((m) => m.event === 'pusher:connection_established', 'connection_established');
      ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'deploy-check' } }));
      await next((m) => m.event === 'pusher_internal:subscription_succeeded', 'subscription_succeeded');

      // Publish with the Pusher SDK through the proxy: the signature must survive it.
      const sdk = new Pusher({
        appId: app.id,
        key: app.key,
        secret: app.secret,
        host: '127.0.0.1',
        port: String(ports.https),
        useTLS: true,
        agent: new https.Agent(tls),
      });
      const published = await sdk.trigger('deploy-check', 'through-nginx', { ok: 1 });
      assert.equal(published.status, 200);
      const event = await next((m) => m.event === 'through-nginx', 'published event');
      assert.deepEqual(JSON.parse(event.data), { ok: 1 });

      // gRPC over TLS through grpc_pass.
      const reply = await grpcHealthCheck(
        `127.0.0.1:${ports.https}`,
        grpc.credentials.createSsl(readFileSync(join(dir, 'grpc.realtime.example.com.crt'))),
        { 'grpc.ssl_target_name_override': 'grpc.realtime.example.com', 'grpc.default_authority': 'grpc.realtime.example.com' },
      );
      assert.deepEqual(reply, SERVING);
    } catch (e) {
      e.message += `\nnginx: ${proxyErr}${existsSync(join(dir, 'error.log')) ? read(join(dir, 'error.log')) : ''}`;
      throw e;
    } finally {
      ws?.terminate();
      proxy.kill('SIGTERM');
      await proxyExited;
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------------------------------
// supervisor

function parseIni(text) {
  const sections = {};
  let current;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]] = {};
      continue;
    }
    const [key, ...rest] = line.split('=');
    current[key.trim()] = rest.join('=').replace(/\s+;.*$/, '').trim();
  }
  return sections;
}

describe('supervisor example', () => {
  const confPath = join(DEPLOY, 'supervisor/realtime-gateway.conf');
  const text = read(confPath);
  const ini = parseIni(text);
  const program = ini['program:realtime-gateway'];

  test('SIGTERM, a stop wait longer than the drain, restart on exit, the image binary path', () => {
    assert.ok(program);
    assert.equal(program.stopsignal, 'TERM');
    assert.ok(Number(program.stopwaitsecs) > GRACE_DEFAULT, 'longer than shutdown_grace_seconds');
    assert.equal(program.autorestart, 'true');
    assert.ok(program.command.startsWith(`${dockerfile.entrypoint[0]} `));
  });

  test('raises the open-file limit for WebSocket connections', () => {
    assert.ok(Number(ini.supervisord?.minfds) >= 100000);
  });

  const supervisord = which('supervisord');
  const supervisorctl = which('supervisorctl');
  const NO_SUPERVISOR = !supervisord || !supervisorctl ? 'supervisor not installed' : false;

  test('supervisord starts the gateway with the raised limit and stops it cleanly', { skip: NO_SUPERVISOR || NO_BINARY }, async () => {
    const dir = tempDir('rtgw-supervisor-');
    let daemon;
    let daemonExited;
    try {
      mkdirSync(join(dir, 'conf.d'));
      // The same file with what needs root or an install replaced: binary and config paths,
      // log paths, no `user=`. minfds is capped at the hard limit this process may use (raising
      // the hard limit needs root with CAP_SYS_RESOURCE); the mechanism under test is the same.
      const hard = Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim());
      const minfds = Math.min(Number(ini.supervisord.minfds), Number.isFinite(hard) ? hard : Infinity);
      const configPath = join(dir, 'gateway.json');
      writeFileSync(configPath, JSON.stringify({
        ...JSON.parse(configMap.data['gateway.json']), host: '127.0.0.1', port: 0, grpc_port: 0,
        operator_host: '127.0.0.1', operator_port: 0,
      }));
      const local = text
        .replace(/^minfds=.*$/m, `minfds=${minfds}`)
        .replace(/^command=\S+ --config \S+/m, `command=${GATEWAY_BIN} --config ${configPath}`)
        .replace(/^command=(.*) --host 0\.0\.0\.0$/m, 'command=$1 --host 127.0.0.1')
        .replace(/^user=.*$/m, '')
        .replaceAll('/var/log/supervisor/', `${dir}/`);
      assert.notEqual(local, text);
      writeFileSync(join(dir, 'conf.d/realtime-gateway.conf'), local);
      const main = join(dir, 'supervisord.conf');
      writeFileSync(
        main,
        [
          '[supervisord]',
          'nodaemon=true',
          `logfile=${dir}/supervisord.log`,
          `pidfile=${dir}/supervisord.pid`,
          `childlogdir=${dir}`,
          '[unix_http_server]',
          `file=${dir}/supervisor.sock`,
          '[supervisorctl]',
          `serverurl=unix://${dir}/supervisor.sock`,
          '[rpcinterface:supervisor]',
          'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
          '[include]',
          'files = conf.d/*.conf',
          '',
        ].join('\n'),
      );
      // Start supervisord with a low soft limit, so the raise is visible.
      daemon = spawn('sh', ['-c', `ulimit -Sn 1024 && exec ${supervisord} -c ${main}`], { stdio: 'ignore' });
      daemonExited = new Promise((res) => daemon.on('exit', res));
      const ctl = (...args) => spawnSync(supervisorctl, ['-c', main, ...args], { encoding: 'utf8' });
      const deadline = Date.now() + 15000;
      let status;
      while (Date.now() < deadline) {
        status = ctl('status', 'realtime-gateway').stdout;
        if (/RUNNING/.test(status)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.match(status, /RUNNING/, `supervisord log:\n${existsSync(join(dir, 'supervisord.log')) ? read(join(dir, 'supervisord.log')) : ''}`);
      const pid = ctl('pid', 'realtime-gateway').stdout.trim();
      const limits = read(`/proc/${pid}/limits`);
      const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)[1]);
      assert.equal(soft, minfds, 'the gateway inherits minfds from supervisord');
      const stop = ctl('stop', 'realtime-gateway');
      assert.match(stop.stdout, /stopped/);
      const log = read(join(dir, 'realtime-gateway.log')).trim().split('\n').map((l) => JSON.parse(l));
      const draining = log.find((l) => l.msg === 'draining');
      assert.equal(draining?.signal, 15, 'stopped with SIGTERM');
      assert.equal(log.find((l) => l.msg === 'stopped')?.clean, true);
    } finally {
      if (daemon && daemon.exitCode === null) daemon.kill('SIGTERM');
      if (daemonExited) await daemonExited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------------------------------

describe('deploy/README.md', () => {
  test('mentions every file in deploy/', () => {
    const readme = read(join(DEPLOY, 'README.md'));
    for (const file of walkFiles(DEPLOY).map((f) => relative(DEPLOY, f))) {
      if (file === 'README.md') continue;
      assert.ok(readme.includes(file), `README.md mentions ${file}`);
    }
  });
});
