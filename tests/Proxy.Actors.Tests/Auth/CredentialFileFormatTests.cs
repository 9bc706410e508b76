using System.Text;
using System.Text.Json;
using Proxy.Actors.Auth;

namespace Proxy.Actors.Tests.Auth;

public sealed class CredentialFileFormatTests
{
    [Fact]
    public void Expiry_date_is_written_in_epoch_milliseconds_and_read_back_exactly()
    {
        var expiry = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123);
        var credentials = new QwenCredentials("access-A", "refresh-A", "Bearer", "portal.qwen.ai", expiry);

        var bytes = CredentialFileFormat.Serialize(credentials);
        using var document = JsonDocument.Parse(bytes);

        Assert.Equal(1_767_225_600_123, document.RootElement.GetProperty("expiry_date").GetInt64());
        Assert.Equal(JsonValueKind.Number, document.RootElement.GetProperty("expiry_date").ValueKind);
        Assert.Equal(credentials, CredentialFileFormat.Parse(bytes));
    }

    [Fact]
    public void File_written_by_the_cli_is_read_including_fields_we_do_not_know()
    {
        var json = """
            {
              "access_token": "cli-access",
              "refresh_token": "cli-refresh",
              "token_type": "Bearer",
              "resource_url": "portal.qwen.ai",
              "expiry_date": 1767225600000,
              "id_token": "unknown-field"
            }
            """;

        var credentials = CredentialFileFormat.Parse(Encoding.UTF8.GetBytes(json));

        Assert.NotNull(credentials);
        Assert.Equal("cli-access", credentials.AccessToken);
        Assert.Equal("cli-refresh", credentials.RefreshToken);
        Assert.Equal("portal.qwen.ai", credentials.ResourceUrl);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000), credentials.ExpiresAt);
    }

    [Fact]
    public void Owned_fields_the_old_file_lacks_are_added_at_the_end_and_a_resource_url_the_credential_lacks_is_removed()
    {
        var existing = Encoding.UTF8.GetBytes("""{"id_token":"i","resource_url":"old.example","access_token":"old"}""");

        var bytes = CredentialFileFormat.Serialize(new QwenCredentials("a", "r", "Bearer", null, DateTimeOffset.UnixEpoch), existing);

        Assert.Equal(
            "{\n  \"id_token\": \"i\",\n  \"access_token\": \"a\",\n  \"refresh_token\": \"r\",\n  \"token_type\": \"Bearer\",\n  \"expiry_date\": 0\n}",
            Encoding.UTF8.GetString(bytes).ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1]")]
    [InlineData("not json")]
    public void An_old_file_that_is_not_a_json_object_is_replaced_whole(string existing)
    {
        var bytes = CredentialFileFormat.Serialize(new QwenCredentials("a", "r", "Bearer", null, DateTimeOffset.UnixEpoch), Encoding.UTF8.GetBytes(existing));

        Assert.Equal(
            "{\n  \"access_token\": \"a\",\n  \"refresh_token\": \"r\",\n  \"token_type\": \"Bearer\",\n  \"expiry_date\": 0\n}",
            Encoding.UTF8.GetString(bytes).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Missing_resource_url_is_left_out_of_the_file()
    {
        var bytes = CredentialFileFormat.Serialize(new QwenCredentials("a", "r", "Bearer", null, DateTimeOffset.UnixEpoch));

        Assert.Equal(
            "{\n  \"access_token\": \"a\",\n  \"refresh_token\": \"r\",\n  \"token_type\": \"Bearer\",\n  \"expiry_date\": 0\n}",
            Encoding.UTF8.GetString(bytes).ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"refresh_token\":\"r\"}")]
    [InlineData("{\"access_token\":\"\"}")]
    public void Unusable_content_reads_as_no_credential(string json)
    {
        Assert.Null(CredentialFileFormat.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void ToString_shows_no_secret()
    {
        var credentials = new QwenCredentials("access-secret-XYZW", "refresh-secret-QRST", "Bearer", null, DateTimeOffset.UnixEpoch);

        var text = credentials.ToString();

        Assert.DoesNotContain("access-secret", text);
        Assert.DoesNotContain("refresh-secret", text);
        Assert.Contains("…XYZW", text);
    }
}
