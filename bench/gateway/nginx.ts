// nginx as a plain reverse proxy in front of the upstream, on loopback, run from a
// throwaway folder (config, pid, logs and temp files there: nothing under /var is
// touched, so it runs as root or not).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function nginxBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', 'nginx']) {
    if (spawnSync(candidate, ['-v']).status === 0) return candidate;
  }
  return undefined;
}

export function nginxVersion(binary: string): string {
  // `nginx -v` writes "nginx version: nginx/1.22.1" to stderr.
  return spawnSync(binary, ['-v'], { encoding: 'utf8' })
    .stderr.trim()
    .replace(/^nginx version: /, '');
}

export interface RunningNginx {
  child: ChildProcess;
  /** What nginx wrote to its error log, for a failure message. */
  errors(): string;
  stop(): void;
}

export function startNginx(binary: string, port: number, upstreamPort: number): RunningNginx {
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
  // Connections are kept open both ways, as the gateway keeps them: to the client
  // (keepalive_requests high, so autocannon's connections are not closed every 1000
  // requests) and to the upstream (an idle pool, HTTP/1.1, no Connection header).
  const config = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream app {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), config);
  const child = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  // The folder goes once nginx has (its master removes the pid file on the way out).
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return {
    child,
    errors() {
      try {
        return readFileSync(join(dir, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    stop() {
      // SIGTERM is nginx's fast shutdown: the master stops its worker, then itself.
      child.kill('SIGTERM');
    },
  };
}
