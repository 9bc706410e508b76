using System.Text.Json.Serialization;

namespace Proxy.Web.Models;

/// <summary><c>GET /v1/models</c> in OpenAI's list format.</summary>
internal sealed record ModelListResponse(IReadOnlyList<ModelEntry> Data)
{
    public string Object { get; init; } = "list";
}

/// <summary>One model in OpenAI's format, plus <c>context_length</c> where known and <c>root</c> for aliases.</summary>
internal sealed record ModelEntry(
    string Id,
    long Created,
    string OwnedBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ContextLength,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Root)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "model";

    public static ModelEntry From(ModelInfo model) =>
        new(model.Id, ModelCatalog.Created, model.OwnedBy, model.ContextLength, model.Target);
}
