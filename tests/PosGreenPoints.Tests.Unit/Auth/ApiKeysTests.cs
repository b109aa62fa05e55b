using System.Buffers.Text;
using System.Text;
using PosGreenPoints.Functions.Infrastructure.Auth;

namespace PosGreenPoints.Tests.Unit.Auth;

public sealed class ApiKeysTests
{
    [Fact]
    public void A_key_names_its_client_and_carries_a_256_bit_secret()
    {
        var issued = ApiKeys.Issue("pos-vendor_1");

        Assert.True(ApiKeys.TryParse(issued.Key, out var parsed));
        Assert.Equal("pos-vendor_1", parsed.ClientId);
        Assert.Equal(ApiKeys.SecretLength, parsed.Secret.Length);
        Assert.Equal(32, Base64Url.DecodeFromChars(parsed.Secret).Length);
    }

    [Fact]
    public void Keys_issued_for_the_same_client_differ()
    {
        var secrets = Enumerable.Range(0, 1000)
            .Select(_ => ApiKeys.Issue("pos-1").Key)
            .ToHashSet(StringComparer.Ordinal);

        Assert.Equal(1000, secrets.Count);
    }

    [Fact]
    public void The_stored_hash_is_neither_the_key_nor_the_secret()
    {
        var issued = ApiKeys.Issue("pos-1");
        Assert.True(ApiKeys.TryParse(issued.Key, out var parsed));
        var hash = issued.SecretHash.ToArray();

        Assert.Equal(32, hash.Length);
        Assert.NotEqual(Encoding.UTF8.GetBytes(issued.Key), hash);
        Assert.NotEqual(Encoding.UTF8.GetBytes(parsed.Secret), hash);
        Assert.DoesNotContain(parsed.Secret, Convert.ToBase64String(hash), StringComparison.Ordinal);
        Assert.DoesNotContain(parsed.Secret, issued.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(parsed.Secret, parsed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_secret_matches_its_hash()
    {
        var issued = ApiKeys.Issue("pos-1");
        Assert.True(ApiKeys.TryParse(issued.Key, out var parsed));

        Assert.True(ApiKeys.SecretMatches(parsed.Secret, issued.SecretHash.Span));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    [InlineData(42)]
    public void A_key_with_any_one_character_of_its_secret_changed_fails(int position)
    {
        var issued = ApiKeys.Issue("pos-1");
        Assert.True(ApiKeys.TryParse(issued.Key, out var parsed));
        var characters = parsed.Secret.ToCharArray();
        // The last character also carries two unused bits: changing only those must fail as well.
        characters[position] = characters[position] == 'A' ? 'B' : 'A';
        var tampered = new string(characters);

        Assert.True(ApiKeys.TryParse($"pos-1.{tampered}", out var parsedTampered));
        Assert.False(ApiKeys.SecretMatches(parsedTampered.Secret, issued.SecretHash.Span));
    }

    [Fact]
    public void A_secret_fails_against_another_clients_hash()
    {
        var first = ApiKeys.Issue("pos-1");
        var second = ApiKeys.Issue("pos-2");
        Assert.True(ApiKeys.TryParse(first.Key, out var parsed));

        Assert.False(ApiKeys.SecretMatches(parsed.Secret, second.SecretHash.Span));
    }

    public static TheoryData<string?> MalformedKeys()
    {
        var secret = new string('a', ApiKeys.SecretLength);
        return new TheoryData<string?>
        {
            null,
            "",
            "no-separator-at-all",
            $".{secret}",
            "pos-1.",
            $"bad id!.{secret}",
            $"{new string('c', 65)}.{secret}",
            $"pos-1.{secret[..^1]}",
            $"pos-1.{secret}a",
            $"pos-1.{secret[..^1]}=",
            $"pos-1.{secret[..^1]}+",
            $"pos-1.{secret[..^1]}/",
            $"pos-1.{secret[..^1]}.",
            $"pos-1.{secret}\n",
            $"pos-1\n.{secret}",
            $"pösé.{secret}",
        };
    }

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public void A_malformed_key_does_not_parse(string? key)
    {
        Assert.False(ApiKeys.TryParse(key, out var parsed));
        Assert.Null(parsed);
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("Pos_Vendor-01", true)]
    [InlineData("", false)]
    [InlineData("with.dot", false)]
    [InlineData("with space", false)]
    [InlineData("trailing-newline\n", false)]
    public void Client_ids_are_1_to_64_characters_without_a_dot(string clientId, bool valid)
    {
        Assert.Equal(valid, ApiKeys.IsValidClientId(clientId));
    }

    [Fact]
    public void Client_ids_are_at_most_64_characters()
    {
        Assert.True(ApiKeys.IsValidClientId(new string('c', 64)));
        Assert.False(ApiKeys.IsValidClientId(new string('c', 65)));
    }

    [Fact]
    public void No_key_is_issued_for_an_invalid_client_id()
    {
        Assert.Throws<ArgumentException>(() => ApiKeys.Issue("bad id"));
    }
}
