import { type GrammyError, InputFile } from "grammy";
import { describe, expect, it } from "vitest";
import { multipartFields } from "../../../src/telegram/gateway/multipart.ts";
import { MAX_KEPT_UPLOAD_BYTES } from "../../../src/telegram/gateway/params.ts";
import { BOT_TOKEN, gatewayWorld, ONCE_A_MINUTE, WORKER } from "./harness.ts";

const bytes = (size: number) => new Uint8Array(size).fill(120);

/** The multipart body grammY sends for `sendDocument` with `file`, as bytes. */
async function grammyUpload(chat: number, file: Uint8Array): Promise<Request> {
  let captured: Request | undefined;
  const { Api } = await import("grammy");
  const api = new Api(BOT_TOKEN, {
    apiRoot: WORKER,
    fetch: (async (url: string, init: RequestInit) => {
      captured = new Request(url, init);
      return Response.json({ ok: true, result: true });
    }) as never,
  });
  await api.sendDocument(chat, new InputFile(file, "big.bin"), { caption: "c" });
  return captured as Request;
}

describe("uploads (multipart)", () => {
  it("are counted for the chat they name, small or large, and reach Telegram whole", async () => {
    const world = gatewayWorld({ limits: ONCE_A_MINUTE, maxWaitSeconds: 0 });
    const api = world.grammy();
    for (const size of [10, MAX_KEPT_UPLOAD_BYTES + 200_000]) {
      const chat = 100 + size;
      await api.sendDocument(chat, new InputFile(bytes(size), "file.bin"));
      const second = await api.sendDocument(chat, new InputFile(bytes(size))).catch((e) => e);
      expect((second as GrammyError).error_code).toBe(429);
    }
    expect(world.fake.received.map((r) => [r.method, r.chat, r.accepted])).toEqual([
      ["sendDocument", "110", true],
      ["sendDocument", String(100 + MAX_KEPT_UPLOAD_BYTES + 200_000), true],
    ]);
    expect(world.fake.files).toEqual([10, MAX_KEPT_UPLOAD_BYTES + 200_000]);
  });

  it("are sent again after Telegram's 429 when kept whole, and passed back when not", async () => {
    const world = gatewayWorld({ maxWaitSeconds: 3 });
    const api = world.grammy();
    world.fake.refuseNext(1, "201");
    await api.sendDocument(201, new InputFile(bytes(1000)));
    world.fake.refuseNext(1, "202");
    const large = await api
      .sendDocument(202, new InputFile(bytes(MAX_KEPT_UPLOAD_BYTES + 1)))
      .catch((e) => e);
    expect((large as GrammyError).error_code).toBe(429);
    expect(world.fake.received.map((r) => [r.chat, r.accepted])).toEqual([
      ["201", false],
      ["201", true],
      ["202", false],
    ]);
  });

  it("refuses a large upload whose chat_id comes after its files, sending nothing", async () => {
    const world = gatewayWorld();
    const form = new FormData();
    form.set("document", new File([bytes(MAX_KEPT_UPLOAD_BYTES + 300_000)], "a.bin"));
    form.set("chat_id", "203");
    const encoded = new Request("http://x/", { method: "POST", body: form });
    const body = new Uint8Array(await encoded.arrayBuffer());
    // As it comes over a network: in pieces.
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= body.length) return controller.close();
        controller.enqueue(body.slice(at, at + 64 * 1024));
        at += 64 * 1024;
      },
    });
    const res = await world.call(
      new Request(`${WORKER}/telegram/gw/bot${BOT_TOKEN}/sendDocument`, {
        method: "POST",
        headers: { "Content-Type": encoded.headers.get("Content-Type") ?? "" },
        body: stream,
      }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error_code: 400 });
    expect(world.upstreamCalls).toHaveLength(0);
  });

  it("reads grammY's own multipart spelling, up to the part cut off", async () => {
    const request = await grammyUpload(204, bytes(50));
    const body = new Uint8Array(await request.arrayBuffer());
    const boundary = /boundary=(.+)$/.exec(request.headers.get("Content-Type") ?? "")?.[1] ?? "";
    const fields = multipartFields(body, boundary);
    expect(fields).toMatchObject({ chat_id: "204", caption: "c" });
    expect(fields.document).toMatch(/^attach:\/\//);
    // A prefix that cuts the caption off yields only the fields before it.
    const cut = new TextDecoder().decode(body).indexOf("caption");
    expect(multipartFields(body.subarray(0, cut), boundary)).toEqual({
      chat_id: "204",
      document: fields.document,
    });
  });
});
