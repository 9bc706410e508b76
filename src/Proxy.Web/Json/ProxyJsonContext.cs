using System.Text.Json.Serialization;
using Proxy.Web.Health;
using Proxy.Web.Models;

namespace Proxy.Web.Json;

/// <summary>Source-generated JSON for the proxy's own responses (snake_case, no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ModelListResponse))]
[JsonSerializable(typeof(ModelEntry))]
[JsonSerializable(typeof(BannerResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadinessResponse))]
[JsonSerializable(typeof(DetailedHealthResponse))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext;
