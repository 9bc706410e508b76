using System.Buffers;
using System.Text;
using System.Text.Json;
using Proxy.Actors.Streaming;

namespace Proxy.Web.Protocols.Responses;

/// <summary>
/// <c>/v1/responses</c> on a chat upstream: a whole <c>chat.completion</c> becomes a Response object
/// (a <c>reasoning</c> item for <c>reasoning_content</c>, a <c>message</c> for the text, then one
/// <c>function_call</c> item per tool call), a stream becomes Responses events
/// (<see cref="ResponsesStreamTranslator"/>). One instance per request; its time and ids are passed in.
/// </summary>
internal sealed class ResponsesProtocol(ResponsesEcho echo, IResponseIds ids, TimeProvider time) : IClientProtocol
{
    public IStreamTranslator CreateStreamTranslator() => new ResponsesStreamTranslator(NewDraft(), ids, time);

    public byte[] TranslateCompletion(ReadOnlySpan<byte> chatCompletion)
    {
        var draft = NewDraft();
        if (!ChatJson.TryScanTop(chatCompletion, out var top))
        {
            return Failed(draft, "The upstream's answer is not valid JSON.");
        }

        var (model, choices, usage, error) = (top.Model, top.Choices, top.Usage, top.Error);

        if (ChatJson.StringBody(chatCompletion, model) is { IsEmpty: false } name)
        {
            draft.UpstreamModel = name.ToArray();
        }

        if (ChatJson.Has(error))
        {
            return Failed(draft, ChatJson.ErrorMessage(chatCompletion, error));
        }

        if (ChatJson.Has(choices))
        {
            ReadChoice(chatCompletion[choices], draft);
        }

        if (ChatJson.Has(usage))
        {
            ChatJson.ReadUsage(chatCompletion, usage, ref draft.Usage);
        }

        if (draft.CutReason is not null && draft.Items.Count > 0)
        {
            draft.Items[^1].Cut = true; // the item the cut ended
        }

        var output = new ArrayBufferWriter<byte>(chatCompletion.Length + 1024);
        draft.WriteObject(output, draft.FinalStatus, draft.CutReason is null ? time.GetUtcNow().ToUnixTimeSeconds() : null);
        return output.WrittenSpan.ToArray();
    }

    private ResponseDraft NewDraft() => new(echo, ids.Next("resp_"), time.GetUtcNow().ToUnixTimeSeconds());

    private static byte[] Failed(ResponseDraft draft, string message)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        draft.WriteObject(output, "failed"u8, completedAt: null, "server_error", message);
        return output.WrittenSpan.ToArray();
    }

    private void ReadChoice(ReadOnlySpan<byte> choices, ResponseDraft draft)
    {
        var reader = new Utf8JsonReader(choices);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        Range message = default, finish = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("message"u8))
            {
                message = ChatJson.Value(ref reader, out _);
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                finish = ChatJson.Value(ref reader, out _);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (ChatJson.StringBody(choices, finish) is { IsEmpty: false } reason)
        {
            draft.Finish(reason);
        }

        if (ChatJson.Has(message))
        {
            ReadMessage(choices[message], draft);
        }
    }

    private void ReadMessage(ReadOnlySpan<byte> message, ResponseDraft draft)
    {
        var parts = ChatJson.ReadMessage(message);
        if (ChatJson.StringBody(message, parts.Reasoning) is { IsEmpty: false } thought)
        {
            Add(draft, ResponseItemKind.Reasoning, "rs_", thought);
        }

        if (ChatJson.StringBody(message, parts.Content) is { IsEmpty: false } text)
        {
            Add(draft, ResponseItemKind.Message, "msg_", text);
        }

        if (ChatJson.Has(parts.ToolCalls))
        {
            ReadToolCalls(message[parts.ToolCalls], draft);
        }
    }

    private void ReadToolCalls(ReadOnlySpan<byte> calls, ResponseDraft draft)
    {
        var reader = new Utf8JsonReader(calls);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var call = ChatToolCall.Read(ref reader);
            var item = new ResponseItem(ResponseItemKind.FunctionCall, ids.Next("fc_"), draft.Items.Count)
            {
                CallId = call.Id.IsEmpty ? Encoding.ASCII.GetBytes(ids.Next("call_")) : call.Id.ToArray(),
                Name = call.Name.ToArray(),
                Done = true,
            };
            item.Append(call.Arguments);
            draft.Items.Add(item);
        }
    }

    private void Add(ResponseDraft draft, ResponseItemKind kind, string prefix, ReadOnlySpan<byte> text)
    {
        var item = new ResponseItem(kind, ids.Next(prefix), draft.Items.Count) { Done = true };
        item.Append(text);
        draft.Items.Add(item);
    }
}
