import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALBUM_WINDOW_MS } from "../../src/telegram/albums.ts";
import { extractUpdate } from "../../src/telegram/extract.ts";
import { countRowsWritten, type RowsWritten, setObjectClock } from "../objects.ts";
import { appFor, message, originBot, post, testRegistry } from "./harness.ts";

// testRegistry's bot: "three" (3 a minute per user) and "everyone" by default, a caption in
// capitals matches the "shouting" rule ("three" alone), a group the "groups" rule
// ("group_two": 2 a minute for a user within a chat).
const app = appFor(testRegistry());
const DATE = 1767225600;
let nextUpdateId = 700_000_000;
let nextAlbumId = 13_791_543_512_345_678n;

/**
 * An album as the Bot API delivers it: one `message` update per photo, each with its own
 * sizes, sharing `media_group_id`; the caption rides on the first.
 */
function album(
  userId: number,
  photos: number,
  options: { caption?: string; chat?: { id: number; type: string; title?: string } } = {},
) {
  const mediaGroupId = String(nextAlbumId++);
  const chat = options.chat ?? { id: userId, type: "private", first_name: "U" };
  return Array.from({ length: photos }, (_, i) => {
    const updateId = nextUpdateId++;
    const photo = [90, 320, 800].map((width) => ({
      file_id: `AgACAgIAAxkBAAI${updateId}w${width}`,
      file_unique_id: `AQAD${updateId}w${width}`,
      file_size: width * 40,
      width,
      height: Math.round(width * 0.75),
    }));
    return {
      update_id: updateId,
      message: {
        message_id: updateId - 699_000_000,
        from: { id: userId, is_bot: false, first_name: "U", language_code: "en" },
        chat,
        date: DATE,
        media_group_id: mediaGroupId,
        photo,
        ...(i === 0 && options.caption !== undefined ? { caption: options.caption } : {}),
      },
    };
  });
}

type Update = ReturnType<typeof album>[number];

async function send(updates: unknown[], origin: { fetch: (r: Request) => Promise<Response> }) {
  const statuses = [];
  for (const update of updates) statuses.push((await post(app, { ORIGIN: origin }, update)).status);
  return statuses;
}

const ids = (updates: { update_id: number }[]) => updates.map((u) => u.update_id);

describe("Telegram albums", () => {
  it("count as one update: albums pass or are dropped whole", async () => {
    const { received, binding } = originBot();
    const albums = [album(801, 4), album(801, 4), album(801, 4), album(801, 4)];
    for (const each of albums) expect(await send(each, binding)).toEqual([200, 200, 200, 200]);
    // Three a minute: three albums of four photos went through, the fourth not at all.
    expect(ids(received)).toEqual(ids(albums.slice(0, 3).flat()));
    await send([message(801, "and a text")], binding);
    expect(received).toHaveLength(12);
  });

  it("follow the first update to arrive, even when it is not the album's first", async () => {
    const { received, binding } = originBot();
    await send([message(802, "one"), message(802, "two")], binding);
    // One token left: the album's second photo arrives first, takes it, and the rest follow.
    const [first, second, third] = album(802, 3, { caption: "Holiday" }) as [
      Update,
      Update,
      Update,
    ];
    await send([second, first, third], binding);
    expect(ids(received).slice(2)).toEqual(ids([second, first, third]));
    // Nothing left: the next album is dropped whole, in whatever order it comes.
    const [a, b] = album(802, 2) as [Update, Update];
    await send([b, a], binding);
    expect(received).toHaveLength(5);
  });

  it("follow the first whatever rule the others match, and say so to the bot", async () => {
    const headers: Record<string, string | null>[] = [];
    const origin = {
      fetch: async (request: Request) => {
        const h = (name: string) => request.headers.get(name);
        headers.push({
          rule: h("X-Limiter-Rule"),
          album: h("X-Limiter-Album"),
          remaining: h("X-Limiter-Remaining"),
        });
        return new Response(null);
      },
    };
    // The caption in capitals matches "shouting"; the captionless photos, the default rule.
    await send(album(803, 3, { caption: "LOOK AT THIS" }), origin);
    expect(headers).toEqual([
      { rule: "shouting", album: "led", remaining: "2" },
      { rule: "default", album: "followed", remaining: null },
      { rule: "default", album: "followed", remaining: null },
    ]);
  });

  it("count once in a group, where the limit lives in another object than the verdict", async () => {
    const { received, binding } = originBot();
    const chat = { id: -1001234500001, type: "supergroup", title: "Photos" };
    const bodies: string[] = [];
    const albums = [album(804, 3, { chat }), album(804, 3, { chat }), album(804, 3, { chat })];
    for (const update of albums.flat()) {
      bodies.push(await (await post(app, { ORIGIN: binding }, update)).text());
    }
    // group_two: two albums whole, the third dropped whole, with one notice for it.
    expect(ids(received)).toEqual(ids(albums.slice(0, 2).flat()));
    expect(JSON.parse(bodies[6] ?? "")).toMatchObject({ method: "sendMessage", chat_id: chat.id });
    expect(bodies.slice(7)).toEqual(["", ""]);
  });

  it("are counted once when the bot fails the first update and Telegram re-sends it", async () => {
    const { received, binding } = originBot();
    let failures = 1;
    const flaky = {
      fetch: async (request: Request) => {
        if (failures-- > 0) return new Response("down", { status: 500 });
        return binding.fetch(request);
      },
    };
    const photos = album(805, 3);
    expect(await send(photos, flaky)).toEqual([502, 200, 200]);
    expect(await send([photos[0]], flaky)).toEqual([200]);
    expect(ids(received).sort()).toEqual(ids(photos).sort());
    // The album took one token of three: two more updates pass, the third does not.
    await send([message(805, "a"), message(805, "b"), message(805, "c")], flaky);
    expect(received.map((u) => u.message?.text).filter(Boolean)).toEqual(["a", "b"]);
  });

  it("decide a late update on its own once the album's window has passed", async () => {
    const albumHeaders: (string | null)[] = [];
    const origin = {
      fetch: async (request: Request) => {
        albumHeaders.push(request.headers.get("X-Limiter-Album"));
        return new Response(null);
      },
    };
    let nowMs = Date.now();
    await setObjectClock(env.LIMITER.getByName("tg:USER:806"), () => nowMs);
    const [first, second, third] = album(806, 3) as [Update, Update, Update];
    await send([first], origin);
    nowMs += ALBUM_WINDOW_MS - 1;
    await send([second], origin);
    // Past the window the straggler is counted for itself, and leads anew.
    nowMs += 2;
    await send([third], origin);
    expect(albumHeaders).toEqual(["led", "followed", "led"]);
  });

  it("cost the first update a row for the verdict, and the rest nothing but their claim", async () => {
    const rows: RowsWritten = { kvPuts: 0, kvDeletes: 0, alarmsSet: 0 };
    await countRowsWritten(env.LIMITER.getByName("tg:USER:807"), rows);
    const [first, ...rest] = album(807, 4, { caption: "CAPITAL IDEA" });
    const { binding } = originBot();
    await send([first], binding);
    // Its update claim, the album's verdict, the bucket.
    expect(rows.kvPuts).toBe(3);
    await send(rest, binding);
    expect(rows.kvPuts).toBe(6);
  });

  it("decide an update on its own that comes while the first is still being decided", async () => {
    // The group's object (the limit) answers the first update only when the test says so.
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let waiting = 0;
    const namespace = {
      getByName(name: string) {
        const real = env.LIMITER.getByName(name);
        if (!name.startsWith("tg:GROUP:") || waiting > 0) return real;
        waiting++;
        return new Proxy(real, {
          get: (target, method: string) =>
            method === "check"
              ? async (...args: unknown[]) => {
                  await gate;
                  return (target.check as (...a: unknown[]) => unknown)(...args);
                }
              : Reflect.get(target, method),
        });
      },
    };
    const gated = appFor(testRegistry(), namespace);
    const seen: (string | null)[] = [];
    const origin = {
      fetch: async (request: Request) => {
        seen.push(`${request.headers.get("X-Limiter-Album")}`);
        return new Response(null);
      },
    };
    const chat = { id: -1001234500002, type: "supergroup", title: "Busy" };
    const [first, second, third] = album(808, 3, { chat }) as [Update, Update, Update];
    const leading = post(gated, { ORIGIN: origin }, first);
    while (waiting === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await post(gated, { ORIGIN: origin }, second);
    open();
    await leading;
    await post(gated, { ORIGIN: origin }, third);
    // The second counted for itself (no album header); the third followed the first.
    expect(seen).toEqual(["null", "led", "followed"]);
  });
});

describe("reading an album", () => {
  it("takes media_group_id from a message, and ignores one no album would have", () => {
    const [photo] = album(809, 1) as [Update];
    const facts = extractUpdate(photo);
    expect(facts).toMatchObject({ mediaGroupId: photo.message.media_group_id });
    const odd = { ...photo, message: { ...photo.message, media_group_id: "9".repeat(65) } };
    expect(extractUpdate(odd)).not.toHaveProperty("mediaGroupId");
    const numeric = { ...photo, message: { ...photo.message, media_group_id: 12345 } };
    expect(extractUpdate(numeric)).not.toHaveProperty("mediaGroupId");
  });
});
