using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Proxy.Web.Configuration;

namespace Proxy.Web.Accounts;

/// <summary>
/// Reads and validates the accounts file. Every problem stops start-up with one line naming the
/// file, the account and the field (as any bad setting does, exit 2); no line ever shows a key.
/// A file that others than its owner may read or change is refused: it holds keys.
/// </summary>
internal static partial class AccountsFileLoader
{
    public const string Variable = "ACCOUNTS_FILE";

    /// <summary>Where a key written in the file itself comes from (an account's <c>ApiKeySource</c>).</summary>
    public const string LiteralKeySource = "api_key";
    public const int MaxWeight = 1000;
    public const int MaxConcurrentLimit = 1_000_000;

    private static readonly string[] KnownTopLevel = ["strategy", "affinity", "accounts"];

    /// <param name="path">The file, as configured.</param>
    /// <param name="lookup">Reads the variable an account's <c>api_key_env</c> names.</param>
    /// <param name="defaultQwenDir">The credential folder of a Qwen OAuth account without <c>qwen_dir</c>.</param>
    public static AccountPoolOptions Load(string path, Func<string, string?> lookup, string defaultQwenDir)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw Fail($"points to '{path}', which does not exist.");
        }

        RefuseSharedFile(path, fullPath);

        AccountsFileModel? model;
        try
        {
            using var stream = File.OpenRead(fullPath);
            model = JsonSerializer.Deserialize(stream, AccountsJsonContext.Default.AccountsFileModel);
        }
        catch (JsonException ex)
        {
            throw Fail($"'{path}' is not a valid accounts file: {ex.Message.ReplaceLineEndings(" ")}");
        }
        catch (IOException ex)
        {
            throw Fail($"'{path}' could not be read: {ex.Message.ReplaceLineEndings(" ")}");
        }
        catch (UnauthorizedAccessException)
        {
            throw Fail($"'{path}' could not be read: permission denied.");
        }

        if (model is null)
        {
            throw Fail($"'{path}' must hold a JSON object with \"accounts\".");
        }

        return Validate(model, path, lookup, defaultQwenDir);
    }

    /// <summary>Validates a parsed file; <paramref name="path"/> only names it in messages.</summary>
    public static AccountPoolOptions Validate(AccountsFileModel model, string path, Func<string, string?> lookup, string defaultQwenDir)
    {
        var where = $"'{path}'";
        if (model.Unknown is { Count: > 0 } unknown)
        {
            throw Fail($"{where}: unknown field '{unknown.Keys.First()}' (known: {string.Join(", ", KnownTopLevel)}).");
        }

        var strategy = model.Strategy?.Trim().ToUpperInvariant() switch
        {
            null or "ROUND-ROBIN" or "ROUND_ROBIN" => PoolStrategy.RoundRobin,
            "FILL-FIRST" or "FILL_FIRST" => PoolStrategy.FillFirst,
            "LEAST-IN-FLIGHT" or "LEAST_IN_FLIGHT" => PoolStrategy.LeastInFlight,
            _ => throw Fail($"{where}: field 'strategy' must be round-robin, fill-first or least-in-flight; got '{model.Strategy}'."),
        };

        var affinity = Affinity(model.Affinity, where);
        if (model.Accounts is not { Count: > 0 } entries)
        {
            throw Fail($"{where}: field 'accounts' must list at least one account.");
        }

        var accounts = new List<AccountDefinition>(entries.Count);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < entries.Count; i++)
        {
            var account = Account(entries[i], i, where, lookup, defaultQwenDir);
            if (!names.Add(account.Name))
            {
                throw Fail($"{where}: account '{account.Name}' (accounts[{i}]) field 'name' repeats an earlier account's name.");
            }

            if (account.Kind == AccountKind.QwenOAuth && accounts.Exists(a => a.Kind == AccountKind.QwenOAuth))
            {
                throw Fail($"{where}: account '{account.Name}' (accounts[{i}]) field 'kind': only one qwen-oauth account is supported.");
            }

            accounts.Add(account);
        }

        return new AccountPoolOptions { Strategy = strategy, Affinity = affinity, Accounts = accounts, File = path };
    }

    private static AffinityOptions Affinity(JsonElement? element, string where)
    {
        if (element is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.False)
        {
            return AffinityOptions.Off;
        }

        if (value.ValueKind == JsonValueKind.True)
        {
            return new AffinityOptions();
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Fail($"{where}: field 'affinity' must be true, false or {{\"header\": \"X-Session-Id\", \"hash_messages\": 2}}.");
        }

        var options = new AffinityOptions();
        foreach (var property in value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "enabled" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    options = options with { Enabled = property.Value.GetBoolean() };
                    break;
                case "header" when property.Value.ValueKind == JsonValueKind.String && HeaderName().IsMatch(property.Value.GetString()!):
                    options = options with { Header = property.Value.GetString()! };
                    break;
                case "hash_messages" when property.Value.TryGetInt32(out var count) && count is >= 0 and <= 100:
                    options = options with { HashedMessages = count };
                    break;
                case "enabled" or "header" or "hash_messages":
                    throw Fail($"{where}: field 'affinity.{property.Name}' must be {(property.Name == "enabled" ? "true or false" : property.Name == "header" ? "a header name" : "a whole number from 0 to 100")}.");
                default:
                    throw Fail($"{where}: unknown field 'affinity.{property.Name}' (known: enabled, header, hash_messages).");
            }
        }

        return options;
    }

    private static AccountDefinition Account(AccountEntryModel entry, int index, string where, Func<string, string?> lookup, string defaultQwenDir)
    {
        var name = entry.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            throw Fail($"{where}: accounts[{index}] field 'name' is required.");
        }

        var at = $"{where}: account '{name}' (accounts[{index}])";
        if (!AccountName().IsMatch(name))
        {
            throw Fail($"{where}: accounts[{index}] field 'name' must be 1 to 64 letters, digits, '.', '_' or '-'.");
        }

        if (entry.Unknown is { Count: > 0 } unknown)
        {
            throw Fail($"{at} has an unknown field '{unknown.Keys.First()}'.");
        }

        var kind = entry.Kind?.Trim().ToUpperInvariant() switch
        {
            null or "API-KEY" or "API_KEY" => AccountKind.ApiKey,
            "QWEN-OAUTH" or "QWEN_OAUTH" => AccountKind.QwenOAuth,
            _ => throw Fail($"{at} field 'kind' must be api-key or qwen-oauth; got '{entry.Kind}'."),
        };

        var (aliases, models) = Models(entry.Models, at);
        var common = new AccountDefinition
        {
            Name = name,
            Kind = kind,
            Weight = Whole(entry.Weight, at, "weight", 1, MaxWeight, 1),
            MaxConcurrent = Whole(entry.MaxConcurrent, at, "max_concurrent", 0, MaxConcurrentLimit, 0),
            Models = models,
            Aliases = aliases,
            Headers = Headers(entry.Headers, at),
            ResponsesUrl = Url(entry.ResponsesUrl, at, "responses_url"),
            MessagesUrl = Url(entry.MessagesUrl, at, "messages_url"),
            EmbeddingsUrl = Url(entry.EmbeddingsUrl, at, "embeddings_url"),
        };

        return kind == AccountKind.QwenOAuth
            ? QwenOAuth(entry, common, at, defaultQwenDir)
            : ApiKey(entry, common, at, lookup);
    }

    private static AccountDefinition QwenOAuth(AccountEntryModel entry, AccountDefinition common, string at, string defaultQwenDir)
    {
        foreach (var (field, value) in new[] { ("api_key", entry.ApiKey), ("api_key_env", entry.ApiKeyEnv), ("preset", entry.Preset) })
        {
            if (value is not null)
            {
                throw Fail($"{at} field '{field}' does not apply to a qwen-oauth account (it uses the credential in qwen_dir).");
            }
        }

        var dir = string.IsNullOrWhiteSpace(entry.QwenDir) ? defaultQwenDir : ExpandHome(entry.QwenDir.Trim());
        return common with
        {
            BaseUrl = Url(entry.BaseUrl, at, "base_url"),
            QwenDir = Path.GetFullPath(dir),
            QwenHeaders = entry.QwenHeaders ?? true,
        };
    }

    private static AccountDefinition ApiKey(AccountEntryModel entry, AccountDefinition common, string at, Func<string, string?> lookup)
    {
        if (entry.QwenDir is not null)
        {
            throw Fail($"{at} field 'qwen_dir' applies only to a qwen-oauth account.");
        }

        AccountPreset? preset = null;
        Uri baseUrl;
        if (entry.Preset is not null && entry.BaseUrl is not null)
        {
            throw Fail($"{at} has both 'preset' and 'base_url'; give one.");
        }
        else if (entry.Preset is not null)
        {
            preset = AccountPresets.Find(entry.Preset.Trim())
                ?? throw Fail($"{at} field 'preset' names no known preset ('{entry.Preset}'); known: {string.Join(", ", AccountPresets.All.Select(p => p.Name))}.");
            baseUrl = preset.ChatBaseUrl;
        }
        else
        {
            baseUrl = Url(entry.BaseUrl, at, "base_url") ?? throw Fail($"{at} needs 'preset' or 'base_url'.");
        }

        string key;
        string source;
        if (entry.ApiKey is not null && entry.ApiKeyEnv is not null)
        {
            throw Fail($"{at} has both 'api_key' and 'api_key_env'; give one.");
        }
        else if (entry.ApiKey is not null)
        {
            key = entry.ApiKey.Trim();
            source = LiteralKeySource;
            if (key.Length == 0 || key.Any(char.IsWhiteSpace))
            {
                throw Fail($"{at} field 'api_key' must be a key without spaces.");
            }
        }
        else if (entry.ApiKeyEnv is not null)
        {
            var variable = entry.ApiKeyEnv.Trim();
            if (!VariableName().IsMatch(variable))
            {
                throw Fail($"{at} field 'api_key_env' must name an environment variable (letters, digits and '_').");
            }

            key = lookup(variable)?.Trim() ?? string.Empty;
            source = "env:" + variable;
            if (key.Length == 0 || key.Any(char.IsWhiteSpace))
            {
                throw Fail($"{at} field 'api_key_env' names {variable}, which is {(key.Length == 0 ? "not set" : "not a key without spaces")}.");
            }
        }
        else
        {
            throw Fail($"{at} needs 'api_key' or 'api_key_env'.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (header, value) in preset?.Headers ?? new Dictionary<string, string>())
        {
            headers[header] = value;
        }

        foreach (var (header, value) in common.Headers)
        {
            headers[header] = value;
        }

        return common with
        {
            Preset = preset?.Name,
            BaseUrl = baseUrl,
            ApiKey = key,
            ApiKeySource = source,
            Headers = headers,
            ResponsesUrl = common.ResponsesUrl ?? preset?.ResponsesUrl,
            MessagesUrl = common.MessagesUrl ?? preset?.MessagesUrl,
            EmbeddingsUrl = common.EmbeddingsUrl ?? preset?.EmbeddingsUrl,
            QwenHeaders = entry.QwenHeaders ?? preset?.QwenHeaders ?? Actors.Upstream.QwenHeaders.IsQwenHost(baseUrl),
        };
    }

    private static int Whole(JsonElement? element, string at, string field, int min, int max, int fallback)
    {
        if (element is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max)
        {
            return number;
        }

        throw Fail($"{at} field '{field}' must be a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}; got {value.GetRawText()}.");
    }

    private static Uri? Url(string? value, string at, string field)
    {
        if (value is null)
        {
            return null;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw Fail($"{at} field '{field}' must be an absolute http:// or https:// URL without credentials.");
        }

        return uri;
    }

    private static (Dictionary<string, string> Aliases, HashSet<string> Models) Models(List<JsonElement>? entries, string at)
    {
        var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var models = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries ?? [])
        {
            if (entry.ValueKind == JsonValueKind.String)
            {
                var text = entry.GetString()!.Trim();
                var eq = text.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0 && text.Length > 0)
                {
                    models.Add(text);
                    continue;
                }

                AddAlias(eq > 0 ? text[..eq] : string.Empty, eq > 0 ? text[(eq + 1)..] : string.Empty);
            }
            else if (entry.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in entry.EnumerateObject())
                {
                    AddAlias(property.Name, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : string.Empty);
                }
            }
            else
            {
                throw Fail($"{at} field 'models' must list model names, \"alias=model\" or {{\"alias\": \"model\"}}.");
            }
        }

        return (aliases, models);

        void AddAlias(string alias, string model)
        {
            alias = alias.Trim();
            model = model.Trim();
            if (alias.Length == 0 || model.Length == 0)
            {
                throw Fail($"{at} field 'models' has an alias without a name or a model; write \"alias=model\" or {{\"alias\": \"model\"}}.");
            }

            aliases[alias] = model;
            models.Add(model);
        }
    }

    private static Dictionary<string, string> Headers(Dictionary<string, string>? headers, string at)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers ?? [])
        {
            if (!HeaderName().IsMatch(name))
            {
                throw Fail($"{at} field 'headers' has '{name}', which is not a header name.");
            }

            if (Actors.Upstream.QwenHeaders.Reserved.Contains(name))
            {
                throw Fail($"{at} field 'headers' sets {name}, which the proxy sets itself.");
            }

            if (value is null || value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                throw Fail($"{at} field 'headers' has a value for {name} that is not one line of text.");
            }

            result[name] = value;
        }

        return result;
    }

    /// <summary>The file holds keys: refused when its group or others have any permission (mode &amp; 077).</summary>
    private static void RefuseSharedFile(string path, string fullPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(fullPath);
        if ((mode & shared) != 0)
        {
            var octal = Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
            throw Fail($"'{path}' may be read or changed by others than its owner (mode {octal}); it holds keys: run chmod 600 '{path}'.");
        }
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : string.Empty)
            : path;

    private static ProxyConfigurationException Fail(string problem) => ProxyConfigurationException.Invalid(Variable, problem);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex AccountName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderName();
}
