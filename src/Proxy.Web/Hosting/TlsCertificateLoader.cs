using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Proxy.Web.Configuration;

namespace Proxy.Web.Hosting;

/// <summary>Loads TLS_CERT_FILE and TLS_KEY_FILE (PEM) at start, so a bad pair stops start-up.</summary>
internal static class TlsCertificateLoader
{
    public static X509Certificate2 Load(ProxyOptions options)
    {
        var certFile = options.TlsCertFile ?? throw ProxyConfigurationException.Invalid("TLS_CERT_FILE", "must be set when ENABLE_TLS is true.");
        var keyFile = options.TlsKeyFile ?? throw ProxyConfigurationException.Invalid("TLS_KEY_FILE", "must be set when ENABLE_TLS is true.");
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                throw ProxyConfigurationException.Invalid("TLS_KEY_FILE", "holds no private key for TLS_CERT_FILE.");
            }

            if (!OperatingSystem.IsWindows())
            {
                return certificate;
            }

            // SChannel needs a persisted key; round-trip through PKCS#12.
            using (certificate)
            {
                return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw ProxyConfigurationException.Invalid("TLS_CERT_FILE", $"and TLS_KEY_FILE could not be loaded as a PEM certificate and key: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }
}
