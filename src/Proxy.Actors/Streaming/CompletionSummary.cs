using System.Text.Json;

namespace Proxy.Actors.Streaming;

/// <summary>
/// What an answer says about itself: the model that answered, each choice's finish reason and the
/// token usage, when the upstream reports them. Fed a whole completion body, or only the few chunks
/// of a stream that carry a finish reason or usage (the stream actor already knows which), so no
/// chunk is read twice for it. Missing or malformed parts are left unknown, never guessed.
/// </summary>
public sealed class CompletionSummary
{
    private const int MaxFinishReasons = 16;
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };
    private readonly List<string> _finishReasons = [];

    /// <summary>The top-level <c>model</c> of the last payload that named one.</summary>
    public string? ResponseModel { get; private set; }

    /// <summary><c>usage.prompt_tokens</c>, when reported.</summary>
    public long? InputTokens { get; private set; }

    /// <summary><c>usage.completion_tokens</c>, when reported.</summary>
    public long? OutputTokens { get; private set; }

    /// <summary>Finish reasons in the order the choices reported them.</summary>
    public IReadOnlyList<string> FinishReasons => _finishReasons;

    /// <summary>Reads one payload (a chunk or a whole completion); false when it is not valid JSON.</summary>
    public bool Read(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload, isFinalBlock: true, new JsonReaderState(ReaderOptions));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        ResponseModel = reader.GetString();
                    }
                }
                else if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    ReadChoices(ref reader);
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    ReadUsage(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void ReadChoices(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isFinish = reader.ValueTextEquals("finish_reason"u8);
                reader.Read();
                // DashScope's native shape sends the string "null" while a choice is still open.
                if (isFinish && reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals("null"u8) && !reader.ValueTextEquals(""u8)
                    && _finishReasons.Count < MaxFinishReasons)
                {
                    _finishReasons.Add(reader.GetString()!);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private void ReadUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var input = reader.ValueTextEquals("prompt_tokens"u8);
            var output = !input && reader.ValueTextEquals("completion_tokens"u8);
            reader.Read();
            if ((input || output) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var tokens) && tokens >= 0)
            {
                if (input)
                {
                    InputTokens = tokens;
                }
                else
                {
                    OutputTokens = tokens;
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }
}
