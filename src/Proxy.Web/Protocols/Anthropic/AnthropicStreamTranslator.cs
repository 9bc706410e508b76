using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;

namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// The repaired chat stream as Anthropic Messages events, in the order Anthropic documents:
/// <c>message_start</c> (the estimated input tokens), then for each content block
/// <c>content_block_start</c>, its <c>content_block_delta</c>s (<c>text_delta</c>,
/// <c>thinking_delta</c>, <c>input_json_delta</c>) and <c>content_block_stop</c>; one <c>ping</c>
/// after the first block opens; at the end <c>message_delta</c> (stop reason, the upstream's usage)
/// and <c>message_stop</c>. A failure ends the stream with <c>event: error</c>.
/// A block stays open while the same kind of piece arrives; reasoning, text and each tool call
/// (told apart by its chat <c>index</c>) open a new block, closing the one before, so parallel tool
/// calls are consecutive <c>tool_use</c> blocks. Thinking blocks open with an empty
/// <c>signature</c> and get no <c>signature_delta</c>: the upstream signs nothing, and the proxy
/// drops thinking blocks that come back in history. Reasoning is not sent at all when the
/// request did not ask to see it (<see cref="AnthropicRequest.ShowThinking"/>).
/// Strings are copied as the upstream escaped them (valid JSON either way); per event the
/// translator allocates nothing.
/// </summary>
internal sealed class AnthropicStreamTranslator : IStreamTranslator
{
    private readonly IAnthropicIds _ids;
    private readonly byte[] _messageId;
    private readonly byte[] _model;
    private readonly bool _showThinking;
    private readonly int _inputEstimate;

    private bool _started;
    private bool _pinged;
    private bool _ended;
    private Block _open;
    private int _blockIndex = -1;
    private long _toolChatIndex = -1;
    private bool _hadToolCalls;
    private byte[]? _finishReason;
    private bool _usageSeen;
    private long _promptTokens;
    private long _completionTokens;
    private long _cachedTokens;

    /// <param name="ids">Source of the message id (taken now) and of tool use ids the upstream left out.</param>
    /// <param name="model">The model to report: the one the client asked for.</param>
    /// <param name="showThinking">Whether reasoning becomes thinking blocks.</param>
    /// <param name="inputEstimate">Input tokens reported by <c>message_start</c>, before the upstream's count.</param>
    public AnthropicStreamTranslator(IAnthropicIds ids, string model, bool showThinking, int inputEstimate)
    {
        _ids = ids;
        _messageId = Encoding.UTF8.GetBytes(ids.NewMessageId());
        _model = JsonEncodedText.Encode(model, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray();
        _showThinking = showThinking;
        _inputEstimate = inputEstimate;
    }

    private enum Block
    {
        None,
        Text,
        Thinking,
        Tool,
    }

    public void WriteEvent(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        if (_ended)
        {
            return;
        }

        StartMessage(output);
        try
        {
            var reader = new Utf8JsonReader(chunk);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                        {
                            ReadChoice(ref reader, output);
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    ReadUsage(ref reader);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    WriteUpstreamError(ref reader, output);
                    return;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // The stream actor only hands over events that parse; a broken one has nothing to translate.
        }
    }

    public void WriteDone(IBufferWriter<byte> output)
    {
        if (_ended)
        {
            return;
        }

        StartMessage(output);
        CloseBlock(output);
        output.Write("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""u8);
        output.Write(AnthropicStopReason.FromFinishReason(_finishReason, _hadToolCalls));
        output.Write("\",\"stop_sequence\":null},\"usage\":{"u8);
        if (_usageSeen)
        {
            output.Write("\"input_tokens\":"u8);
            WriteNumber(output, Math.Max(0, _promptTokens - _cachedTokens));
            output.Write(","u8);
            if (_cachedTokens > 0)
            {
                output.Write("\"cache_read_input_tokens\":"u8);
                WriteNumber(output, _cachedTokens);
                output.Write(","u8);
            }
        }

        output.Write("\"output_tokens\":"u8);
        WriteNumber(output, _completionTokens);
        output.Write("}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"u8);
        _ended = true;
    }

    public void WriteError(FailureKind kind, string message, string? code, IBufferWriter<byte> output)
    {
        if (_ended)
        {
            return;
        }

        AnthropicErrors.WriteErrorEvent(output, AnthropicErrors.TypeFor(kind), message);
        _ended = true;
    }

    private void ReadChoice(ref Utf8JsonReader reader, IBufferWriter<byte> output)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadDelta(ref reader, output);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    _finishReason = reader.ValueSpan.ToArray(); // once per stream
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadDelta(ref Utf8JsonReader reader, IBufferWriter<byte> output)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                {
                    Open(Block.Text, output);
                    WriteDelta(output, "\"delta\":{\"type\":\"text_delta\",\"text\":\""u8, reader.ValueSpan);
                }
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                reader.Read();
                if (_showThinking && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                {
                    Open(Block.Thinking, output);
                    WriteDelta(output, "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\""u8, reader.ValueSpan);
                }
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadToolCall(ref reader, output);
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadToolCall(ref Utf8JsonReader reader, IBufferWriter<byte> output)
    {
        var call = ChatToolCall.Read(ref reader);

        // A new call: nothing is open, or its index differs, or (no index) it names a new id.
        var isNew = _open != Block.Tool || (call.Index >= 0 ? call.Index != _toolChatIndex : !call.Id.IsEmpty);
        if (isNew)
        {
            CloseBlock(output);
            _open = Block.Tool;
            _blockIndex++;
            _toolChatIndex = call.Index >= 0 ? call.Index : _toolChatIndex + 1;
            _hadToolCalls = true;
            WriteBlockStart(output);
            output.Write("{\"type\":\"tool_use\",\"id\":\""u8);
            if (call.Id.IsEmpty)
            {
                WriteAscii(output, _ids.NewToolUseId());
            }
            else
            {
                output.Write(call.Id);
            }

            output.Write("\",\"name\":\""u8);
            output.Write(call.Name);
            output.Write("\",\"input\":{}}}\n\n"u8);
            Ping(output);
        }

        if (!call.Arguments.IsEmpty)
        {
            WriteDelta(output, "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\""u8, call.Arguments);
        }
    }

    private void ReadUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        _usageSeen = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                reader.Read();
                _promptTokens = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : 0;
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                reader.Read();
                _completionTokens = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : 0;
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isCached = reader.ValueTextEquals("cached_tokens"u8);
                    reader.Read();
                    if (isCached && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var cached))
                    {
                        _cachedTokens = cached;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void WriteUpstreamError(ref Utf8JsonReader reader, IBufferWriter<byte> output)
    {
        string? message = null;
        if (reader.TokenType == JsonTokenType.String)
        {
            message = reader.GetString();
        }
        else if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessage = reader.ValueTextEquals("message"u8);
                reader.Read();
                if (isMessage && reader.TokenType == JsonTokenType.String)
                {
                    message = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        AnthropicErrors.WriteErrorEvent(output, AnthropicErrors.Api, string.IsNullOrEmpty(message) ? "The upstream reported an error during the stream." : message);
        _ended = true;
    }

    private void StartMessage(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        output.Write("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\""u8);
        output.Write(_messageId);
        output.Write("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""u8);
        output.Write(_model);
        output.Write("\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":"u8);
        WriteNumber(output, _inputEstimate);
        output.Write(",\"output_tokens\":0}}}\n\n"u8);
    }

    private void Open(Block kind, IBufferWriter<byte> output)
    {
        if (_open == kind)
        {
            return;
        }

        CloseBlock(output);
        _open = kind;
        _blockIndex++;
        WriteBlockStart(output);
        output.Write(kind == Block.Text
            ? "{\"type\":\"text\",\"text\":\"\"}}\n\n"u8
            : "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n"u8);
        Ping(output);
    }

    private void CloseBlock(IBufferWriter<byte> output)
    {
        if (_open == Block.None)
        {
            return;
        }

        output.Write("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"u8);
        WriteNumber(output, _blockIndex);
        output.Write("}\n\n"u8);
        _open = Block.None;
    }

    private void WriteBlockStart(IBufferWriter<byte> output)
    {
        output.Write("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":"u8);
        WriteNumber(output, _blockIndex);
        output.Write(",\"content_block\":"u8);
    }

    private void Ping(IBufferWriter<byte> output)
    {
        if (!_pinged)
        {
            _pinged = true;
            output.Write("event: ping\ndata: {\"type\":\"ping\"}\n\n"u8);
        }
    }

    private void WriteDelta(IBufferWriter<byte> output, ReadOnlySpan<byte> deltaOpening, ReadOnlySpan<byte> escapedValue)
    {
        output.Write("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"u8);
        WriteNumber(output, _blockIndex);
        output.Write(","u8);
        output.Write(deltaOpening);
        output.Write(escapedValue);
        output.Write("\"}}\n\n"u8);
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        var written = Encoding.UTF8.GetBytes(text, span);
        output.Advance(written);
    }
}
