using System.Text.Json.Serialization;

namespace Proxy.Web.Models;

/// <summary><c>GET /v1/models</c> in OpenAI's list format.</summary>
internal sealed record ModelListResponse(IReadOnlyList<ModelEntry> Data)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "list";
}

/// <summary>One model in OpenAI's format, plus <c>context_length</c> where known and <c>root</c> for aliases.</summary>
internal sealed record ModelEntry
{
    public required string Id { get; init; }

    public string Object { get; init; } = "model";

    public required long Created { get; init; }

    public required string OwnedBy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ContextLength { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Root { get; init; }

    public static ModelEntry From(ModelInfo model) => new()
    {
        Id = model.Id,
        Created = ModelCatalog.Created,
        OwnedBy = model.OwnedBy,
        ContextLength = model.ContextLength,
        Root = model.Target,
    };
}
