using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Web.Tests.Security;

public sealed class SecurityHeadersTests
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/v1/models")]
    [InlineData("/missing")]
    public async Task Every_response_has_the_security_headers_and_no_hsts_without_tls(string path)
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task Tls_from_pem_files_serves_https_with_hsts()
    {
        var dir = Directory.CreateTempSubdirectory("proxy-tls-").FullName;
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certFile = Path.Combine(dir, "cert.pem");
            var keyFile = Path.Combine(dir, "key.pem");
            await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == certificate.Thumbprint,
            };

            await using var proxy = await TestProxy.StartAsync(
                new Dictionary<string, string?> { ["ENABLE_TLS"] = "true", ["TLS_CERT_FILE"] = certFile, ["TLS_KEY_FILE"] = keyFile },
                handler: handler);
            using var response = await proxy.Client.GetAsync("/health");

            Assert.Equal("https", proxy.BaseAddress.Scheme);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Tls_with_files_that_are_not_pem_stops_start_up_naming_the_variable()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a certificate");

            var error = Assert.Throws<Proxy.Web.Configuration.ProxyConfigurationException>(() => ProxyHost.Build([], null, new ProxyHostOverrides
            {
                Environment = new Dictionary<string, string?> { ["SERVER_PORT"] = "0", ["ENABLE_TLS"] = "true", ["TLS_CERT_FILE"] = file, ["TLS_KEY_FILE"] = file },
                AppSettingsPath = "/nonexistent/appsettings.json",
            }));

            Assert.Equal("TLS_CERT_FILE", error.Variable);
            Assert.StartsWith("Invalid configuration: TLS_CERT_FILE and TLS_KEY_FILE could not be loaded as a PEM certificate and key: ", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
