using System.Globalization;

namespace Proxy.LoadClient.Hosting;

/// <summary>nginx as a plain streaming reverse proxy in front of the emulator, living in its own prefix.</summary>
internal static class NginxConfig
{
    /// <param name="prefix">A private folder for the pid file, logs and temp paths.</param>
    /// <param name="runAsRoot">Keep workers as root (nginx started by root would switch them to nobody).</param>
    public static string Render(string prefix, int listenPort, int upstreamPort, bool runAsRoot)
    {
        string I(int n) => n.ToString(CultureInfo.InvariantCulture);
        var user = runAsRoot ? "user root root;\n" : "";
        return $$"""
            # Written by the benchmark harness for one run.
            {{user}}worker_processes auto;
            worker_rlimit_nofile 20000;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;

            events {
                worker_connections 20000;
                multi_accept on;
            }

            http {
                access_log off;
                client_body_temp_path {{prefix}}/client_body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                keepalive_requests 1000000;
                keepalive_timeout 120s;

                upstream emulator {
                    server 127.0.0.1:{{I(upstreamPort)}};
                    keepalive 512;
                    keepalive_requests 1000000;
                }

                server {
                    listen 127.0.0.1:{{I(listenPort)}} reuseport backlog=4096;

                    location / {
                        proxy_pass http://emulator;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_buffering off;
                        proxy_request_buffering off;
                        proxy_read_timeout 900s;
                        proxy_send_timeout 900s;
                    }
                }
            }

            """;
    }
}
