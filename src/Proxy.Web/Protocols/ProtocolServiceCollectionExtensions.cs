using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxy.Web.Endpoints;
using Proxy.Web.Protocols.Embeddings;
using Proxy.Web.Protocols.Responses;

namespace Proxy.Web.Protocols;

/// <summary>Registers the endpoints of the other client protocols: <c>/v1/responses</c> and <c>/v1/embeddings</c>.</summary>
internal static class ProtocolServiceCollectionExtensions
{
    public static IServiceCollection AddClientProtocols(this IServiceCollection services)
    {
        services.TryAddSingleton<IResponseIds>(RandomResponseIds.Instance);
        services.AddSingleton<IEndpointModule, ResponsesEndpoints>();
        services.AddSingleton<IEndpointModule, EmbeddingsEndpoints>();
        return services;
    }
}
