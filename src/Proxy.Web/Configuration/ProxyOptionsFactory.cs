using Microsoft.Extensions.Options;

namespace Proxy.Web.Configuration;

/// <summary>
/// The Options pattern's factory for <see cref="ProxyOptions"/>: each instance is bound from the
/// configuration by <see cref="ProxyOptionsParser.Bind"/> (the documented names, aliases and
/// formats), then configured and validated as any options are (<see cref="ProxyOptionsValidator"/>).
/// </summary>
internal sealed class ProxyOptionsFactory(
    IConfigurationRoot configuration,
    IEnumerable<IConfigureOptions<ProxyOptions>> setups,
    IEnumerable<IPostConfigureOptions<ProxyOptions>> postConfigures,
    IEnumerable<IValidateOptions<ProxyOptions>> validations)
    : OptionsFactory<ProxyOptions>(setups, postConfigures, validations)
{
    protected override ProxyOptions CreateInstance(string name) => ProxyOptionsParser.Bind(configuration);
}
