using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Proxy.Web.Configuration;

/// <summary>Registers <see cref="ProxyOptions"/> with the Options pattern, validated when the host starts.</summary>
internal static class ProxyOptionsServiceCollectionExtensions
{
    public static IServiceCollection AddProxyOptions(this IServiceCollection services, IConfigurationRoot configuration)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>());
        services.AddSingleton<IOptionsFactory<ProxyOptions>>(sp => new ProxyOptionsFactory(
            configuration,
            sp.GetServices<IConfigureOptions<ProxyOptions>>(),
            sp.GetServices<IPostConfigureOptions<ProxyOptions>>(),
            sp.GetServices<IValidateOptions<ProxyOptions>>()));
        services.AddOptions<ProxyOptions>().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ProxyOptions>>().Value);
        return services;
    }
}
