using System.Text.Json;
using System.Text.Json.Serialization;

namespace Proxy.Web.Accounts;

/// <summary>The accounts file as written (snake_case); <see cref="AccountsFileLoader"/> validates it.</summary>
internal sealed class AccountsFileModel
{
    public string? Strategy { get; set; }

    /// <summary><c>true</c>, <c>false</c>, or <c>{"header": "...", "hash_messages": 2}</c>.</summary>
    public JsonElement? Affinity { get; set; }

    public List<AccountEntryModel>? Accounts { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>One entry of the accounts file's <c>accounts</c> array, as written.</summary>
internal sealed class AccountEntryModel
{
    public string? Name { get; set; }

    public string? Kind { get; set; }

    public string? Preset { get; set; }

    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public string? ApiKeyEnv { get; set; }

    public JsonElement? Weight { get; set; }

    /// <summary>Strings (<c>"model"</c>, <c>"alias=model"</c>) or objects (<c>{"alias": "model"}</c>).</summary>
    public List<JsonElement>? Models { get; set; }

    public Dictionary<string, string>? Headers { get; set; }

    public JsonElement? MaxConcurrent { get; set; }

    public string? ResponsesUrl { get; set; }

    public string? MessagesUrl { get; set; }

    public string? EmbeddingsUrl { get; set; }

    public bool? QwenHeaders { get; set; }

    public string? QwenDir { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

/// <summary>Source-generated reading of the accounts file (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(AccountsFileModel))]
internal sealed partial class AccountsJsonContext : JsonSerializerContext;
