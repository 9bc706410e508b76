using System.Text;
using Microsoft.AspNetCore.Http;
using Qwen.Emulator.Chat;

namespace Qwen.Emulator.Responses;

/// <summary><c>GET /v1/models</c>: <see cref="EmulatorOptions.ModelIds"/> in OpenAI's list format, owned by <c>system</c>.</summary>
internal sealed class ModelsEndpoint(EmulatorState state, IEnumerable<string> apiKeys)
{
    private readonly HashSet<string> _apiKeys = new(apiKeys, StringComparer.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        byte[] body;
        if (!EmulatorAuth.IsAuthorized(state, _apiKeys, context.Request.Headers.Authorization.ToString()))
        {
            context.Response.StatusCode = 401;
            body = ErrorBodies.InvalidToken;
        }
        else
        {
            var list = new StringBuilder("{\"object\":\"list\",\"data\":[");
            var first = true;
            foreach (var id in state.Options.ModelIds)
            {
                list.Append(first ? "" : ",").Append("{\"id\":");
                JsonText.AppendQuoted(list, id);
                list.Append(",\"object\":\"model\",\"created\":1767225600,\"owned_by\":\"system\"}");
                first = false;
            }

            body = Encoding.UTF8.GetBytes(list.Append("]}").ToString());
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
