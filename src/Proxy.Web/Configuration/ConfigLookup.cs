using System.Globalization;

namespace Proxy.Web.Configuration;

/// <summary>
/// Reads one variable by its name and aliases, honouring the precedence of the configuration
/// sources (the last source added wins), so an alias set in the environment beats the main name
/// set in appsettings.json. JSON arrays and objects are read as comma-separated lists
/// (<c>["a","b"]</c> as <c>a,b</c>; <c>{"x":"y"}</c> as <c>x=y</c>).
/// </summary>
internal sealed class ConfigLookup(IConfigurationRoot root)
{
    /// <summary>The value and the name it was found under, or null when no source sets it.</summary>
    public (string Value, string Name)? Find(string name, params string[] aliases)
    {
        var providers = root.Providers.ToArray();
        for (var i = providers.Length - 1; i >= 0; i--)
        {
            var found = FindIn(providers[i], name) is { } value ? (value, name) : ((string, string)?)null;
            for (var a = 0; found is null && a < aliases.Length; a++)
            {
                if (FindIn(providers[i], aliases[a]) is { } aliasValue)
                {
                    found = (aliasValue, aliases[a]);
                }
            }

            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private static string? FindIn(IConfigurationProvider provider, string key)
    {
        if (provider.TryGet(key, out var value))
        {
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }

        var children = provider.GetChildKeys([], key).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (children.Count == 0)
        {
            return null;
        }

        var isArray = children.TrueForAll(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        var parts = new List<string>(children.Count);
        foreach (var child in isArray ? children.OrderBy(c => int.Parse(c, CultureInfo.InvariantCulture)) : children.AsEnumerable())
        {
            if (provider.TryGet(key + ConfigurationPath.KeyDelimiter + child, out var childValue) && !string.IsNullOrWhiteSpace(childValue))
            {
                parts.Add(isArray ? childValue.Trim() : child + "=" + childValue.Trim());
            }
        }

        return parts.Count == 0 ? null : string.Join(',', parts);
    }
}
