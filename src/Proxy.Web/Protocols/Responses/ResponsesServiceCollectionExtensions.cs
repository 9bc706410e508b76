using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxy.Web.Endpoints;

namespace Proxy.Web.Protocols.Responses;

/// <summary>Registers <c>POST /v1/responses</c> and the ids of its Responses.</summary>
internal static class ResponsesServiceCollectionExtensions
{
    public static IServiceCollection AddResponsesApi(this IServiceCollection services)
    {
        services.TryAddSingleton<IResponseIds>(RandomResponseIds.Instance);
        services.AddSingleton<IEndpointModule, ResponsesEndpoints>();
        return services;
    }
}
