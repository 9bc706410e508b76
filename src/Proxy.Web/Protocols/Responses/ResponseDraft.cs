using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Proxy.Web.Protocols.Responses;

/// <summary>
/// A Response as it is built from a chat answer (whole or streamed): its items, usage and how it
/// ended, and the one writer of the Response object and its items in OpenAI's documented shape.
/// </summary>
internal sealed class ResponseDraft(ResponsesEcho echo, string id, long createdAt)
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public byte[] Id { get; } = Encoding.ASCII.GetBytes(id);

    public long CreatedAt { get; } = createdAt;

    public List<ResponseItem> Items { get; } = [];

    public ResponseUsage Usage;

    /// <summary>The model the upstream named, escaped; used when the client named none.</summary>
    public byte[]? UpstreamModel { get; set; }

    /// <summary>The chat <c>finish_reason</c> when it says the answer was cut (<c>length</c>, <c>content_filter</c>).</summary>
    public string? CutReason { get; set; }

    /// <summary><c>completed</c>, or <c>incomplete</c> when the answer was cut.</summary>
    public ReadOnlySpan<byte> FinalStatus => CutReason is null ? "completed"u8 : "incomplete"u8;

    /// <summary>Reads a finish reason; only a cut changes the Response.</summary>
    public void Finish(ReadOnlySpan<byte> finishReason)
    {
        if (finishReason.SequenceEqual("length"u8))
        {
            CutReason = "max_output_tokens";
        }
        else if (finishReason.SequenceEqual("content_filter"u8))
        {
            CutReason = "content_filter";
        }
    }

    /// <summary>The Response object. <paramref name="completedAt"/> only for a finished one; an error only for a failed one.</summary>
    public void WriteObject(IBufferWriter<byte> output, ReadOnlySpan<byte> status, long? completedAt, string? errorCode = null, string? errorMessage = null)
    {
        Utf8Output.Write(output, "{\"id\":"u8);
        Utf8Output.WriteQuoted(output, Id);
        Utf8Output.Write(output, ",\"object\":\"response\",\"created_at\":"u8);
        Utf8Output.WriteNumber(output, CreatedAt);
        Utf8Output.Write(output, ",\"status\":"u8);
        Utf8Output.WriteQuoted(output, status);
        Utf8Output.Write(output, ",\"background\":false,\"completed_at\":"u8);
        if (completedAt is { } at)
        {
            Utf8Output.WriteNumber(output, at);
        }
        else
        {
            Utf8Output.Write(output, "null"u8);
        }

        Utf8Output.Write(output, ",\"error\":"u8);
        if (errorMessage is null)
        {
            Utf8Output.Write(output, "null"u8);
        }
        else
        {
            Utf8Output.Write(output, "{\"code\":"u8);
            Utf8Output.WriteQuoted(output, JsonEncodedText.Encode(errorCode ?? "server_error", Encoder).EncodedUtf8Bytes);
            Utf8Output.Write(output, ",\"message\":"u8);
            Utf8Output.WriteQuoted(output, JsonEncodedText.Encode(errorMessage, Encoder).EncodedUtf8Bytes);
            Utf8Output.Write(output, "}"u8);
        }

        Utf8Output.Write(output, ",\"incomplete_details\":"u8);
        if (CutReason is not null && status.SequenceEqual("incomplete"u8))
        {
            Utf8Output.Write(output, CutReason == "content_filter" ? "{\"reason\":\"content_filter\"}"u8 : "{\"reason\":\"max_output_tokens\"}"u8);
        }
        else
        {
            Utf8Output.Write(output, "null"u8);
        }

        Utf8Output.Write(output, ","u8);
        Utf8Output.Write(output, echo.Head);
        Utf8Output.Write(output, ",\"model\":"u8);
        Utf8Output.WriteQuoted(output, echo.Model ?? UpstreamModel ?? []);
        Utf8Output.Write(output, ",\"output\":["u8);
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0)
            {
                Utf8Output.Write(output, ","u8);
            }

            WriteItem(output, Items[i], Items[i].FinalStatus);
        }

        Utf8Output.Write(output, "],"u8);
        Utf8Output.Write(output, echo.Tail);
        Utf8Output.Write(output, ",\"usage\":"u8);
        WriteUsage(output);
        Utf8Output.Write(output, ","u8);
        Utf8Output.Write(output, echo.End);
        Utf8Output.Write(output, "}"u8);
    }

    /// <summary>
    /// An output item: as it opens (<c>in_progress</c>, empty) or with all it holds
    /// (<c>completed</c>, or <c>incomplete</c> in a failed Response).
    /// </summary>
    public static void WriteItem(IBufferWriter<byte> output, ResponseItem item, ReadOnlySpan<byte> status)
    {
        var opening = status.SequenceEqual("in_progress"u8);
        Utf8Output.Write(output, "{\"id\":"u8);
        Utf8Output.WriteQuoted(output, item.Id);
        switch (item.Kind)
        {
            case ResponseItemKind.Message:
                Utf8Output.Write(output, ",\"type\":\"message\",\"status\":"u8);
                Utf8Output.WriteQuoted(output, status);
                Utf8Output.Write(output, ",\"content\":["u8);
                if (!opening)
                {
                    WriteTextPart(output, item.Text);
                }

                Utf8Output.Write(output, "],\"role\":\"assistant\"}"u8);
                break;
            case ResponseItemKind.FunctionCall:
                Utf8Output.Write(output, ",\"type\":\"function_call\",\"status\":"u8);
                Utf8Output.WriteQuoted(output, status);
                Utf8Output.Write(output, ",\"arguments\":"u8);
                Utf8Output.WriteQuoted(output, opening ? default : item.Text);
                Utf8Output.Write(output, ",\"call_id\":"u8);
                Utf8Output.WriteQuoted(output, item.CallId);
                Utf8Output.Write(output, ",\"name\":"u8);
                Utf8Output.WriteQuoted(output, item.Name);
                Utf8Output.Write(output, "}"u8);
                break;
            default:
                Utf8Output.Write(output, ",\"type\":\"reasoning\",\"summary\":[]"u8);
                if (!opening)
                {
                    Utf8Output.Write(output, ",\"content\":[{\"type\":\"reasoning_text\",\"text\":"u8);
                    Utf8Output.WriteQuoted(output, item.Text);
                    Utf8Output.Write(output, "}]"u8);
                }

                Utf8Output.Write(output, "}"u8);
                break;
        }
    }

    /// <summary>An <c>output_text</c> part holding <paramref name="text"/> (escaped).</summary>
    public static void WriteTextPart(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        Utf8Output.Write(output, "{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":"u8);
        Utf8Output.WriteQuoted(output, text);
        Utf8Output.Write(output, "}"u8);
    }

    private void WriteUsage(IBufferWriter<byte> output)
    {
        if (!Usage.Present)
        {
            Utf8Output.Write(output, "null"u8);
            return;
        }

        Utf8Output.Write(output, "{\"input_tokens\":"u8);
        Utf8Output.WriteNumber(output, Usage.InputTokens);
        Utf8Output.Write(output, ",\"input_tokens_details\":{\"cached_tokens\":"u8);
        Utf8Output.WriteNumber(output, Usage.CachedTokens);
        Utf8Output.Write(output, "},\"output_tokens\":"u8);
        Utf8Output.WriteNumber(output, Usage.OutputTokens);
        Utf8Output.Write(output, ",\"output_tokens_details\":{\"reasoning_tokens\":"u8);
        Utf8Output.WriteNumber(output, Usage.ReasoningTokens);
        Utf8Output.Write(output, "},\"total_tokens\":"u8);
        Utf8Output.WriteNumber(output, Usage.TotalTokens);
        Utf8Output.Write(output, "}"u8);
    }
}
