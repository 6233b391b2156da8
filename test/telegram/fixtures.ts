/**
 * One realistic update per Bot API update type, keyed by type, plus edge cases keyed by what
 * they show. Ids follow Telegram's conventions: users positive, basic groups negative,
 * supergroups and channels -100…, so tests catch a sign or prefix mix-up.
 */

export const ALICE = { id: 123456789, is_bot: false, first_name: "Alice", language_code: "en" };
export const BOB = { id: 987654321, is_bot: false, first_name: "Bob", username: "bob_b" };
/** The placeholder `from` of anonymous group admins. */
export const GROUP_ANONYMOUS_BOT = {
  id: 1087968824,
  is_bot: true,
  first_name: "Group",
  username: "GroupAnonymousBot",
};
/** The placeholder `from` of channels posting in groups. */
export const CHANNEL_BOT = {
  id: 136817688,
  is_bot: true,
  first_name: "Channel",
  username: "Channel_Bot",
};
export const MANAGED_BOT = {
  id: 7000000001,
  is_bot: true,
  first_name: "Shop",
  username: "shop_bot",
};

export const PRIVATE_CHAT = { id: 123456789, type: "private", first_name: "Alice" };
export const BOB_CHAT = { id: 987654321, type: "private", first_name: "Bob" };
export const SUPERGROUP = { id: -1001234567890, type: "supergroup", title: "Rust Learners" };
export const BASIC_GROUP = { id: -4012345678, type: "group", title: "Family" };
export const CHANNEL = { id: -1009876543210, type: "channel", title: "Daily News" };

const DATE = 1767225600;
const BUSINESS_CONNECTION_ID = "AbCdEfGhIjKlMnOp_qrs";

const PHOTO = [
  { file_id: "AgAC-s", file_unique_id: "AQADs", file_size: 1510, width: 90, height: 67 },
  { file_id: "AgAC-l", file_unique_id: "AQADl", file_size: 98000, width: 1280, height: 960 },
  { file_id: "AgAC-m", file_unique_id: "AQADm", file_size: 21000, width: 320, height: 240 },
];

export const fixtures: Record<string, object> = {
  message: {
    update_id: 600000001,
    message: { message_id: 10, from: ALICE, chat: PRIVATE_CHAT, date: DATE, text: "hello" },
  },
  edited_message: {
    update_id: 600000002,
    edited_message: {
      message_id: 11,
      from: BOB,
      chat: SUPERGROUP,
      date: DATE,
      edit_date: DATE + 30,
      text: "hello, edited",
    },
  },
  channel_post: {
    update_id: 600000003,
    channel_post: {
      message_id: 500,
      sender_chat: CHANNEL,
      chat: CHANNEL,
      date: DATE,
      text: "Breaking news",
    },
  },
  edited_channel_post: {
    update_id: 600000004,
    edited_channel_post: {
      message_id: 500,
      sender_chat: CHANNEL,
      chat: CHANNEL,
      date: DATE,
      edit_date: DATE + 60,
      text: "Breaking news (updated)",
    },
  },
  business_connection: {
    update_id: 600000005,
    business_connection: {
      id: BUSINESS_CONNECTION_ID,
      user: BOB,
      user_chat_id: 987654321,
      date: DATE,
      rights: { can_reply: true },
      is_enabled: true,
    },
  },
  business_message: {
    update_id: 600000006,
    business_message: {
      message_id: 70,
      business_connection_id: BUSINESS_CONNECTION_ID,
      from: ALICE,
      chat: PRIVATE_CHAT,
      date: DATE,
      text: "Is the shop open today?",
    },
  },
  edited_business_message: {
    update_id: 600000007,
    edited_business_message: {
      message_id: 70,
      business_connection_id: BUSINESS_CONNECTION_ID,
      from: ALICE,
      chat: PRIVATE_CHAT,
      date: DATE,
      edit_date: DATE + 5,
      text: "Is the shop open tomorrow?",
    },
  },
  deleted_business_messages: {
    update_id: 600000008,
    deleted_business_messages: {
      business_connection_id: BUSINESS_CONNECTION_ID,
      chat: PRIVATE_CHAT,
      message_ids: [70, 71],
    },
  },
  guest_message: {
    update_id: 600000009,
    guest_message: {
      message_id: 4021,
      guest_query_id: "5190773012345678901",
      from: ALICE,
      chat: SUPERGROUP,
      date: DATE,
      text: "@MyBot what is the weather in Paris?",
      entities: [{ type: "mention", offset: 0, length: 6 }],
    },
  },
  stopped_message_generation: {
    update_id: 600000010,
    stopped_message_generation: { chat: PRIVATE_CHAT, draft_id: 17 },
  },
  message_reaction: {
    update_id: 600000011,
    message_reaction: {
      chat: SUPERGROUP,
      message_id: 12,
      user: BOB,
      date: DATE,
      old_reaction: [],
      new_reaction: [{ type: "emoji", emoji: "👍" }],
    },
  },
  message_reaction_count: {
    update_id: 600000012,
    message_reaction_count: {
      chat: CHANNEL,
      message_id: 500,
      date: DATE,
      reactions: [{ type: { type: "emoji", emoji: "🔥" }, total_count: 42 }],
    },
  },
  inline_query: {
    update_id: 600000013,
    inline_query: {
      id: "4239482983982398",
      from: ALICE,
      query: "cats",
      offset: "",
      chat_type: "supergroup",
    },
  },
  chosen_inline_result: {
    update_id: 600000014,
    chosen_inline_result: {
      result_id: "cat-1",
      from: ALICE,
      query: "cats",
      inline_message_id: "AgAAAB7xAQBh4zP1",
    },
  },
  callback_query: {
    update_id: 600000015,
    callback_query: {
      id: "4382bfdwdsb323b2d9",
      from: BOB,
      message: {
        message_id: 13,
        from: { id: 5555555555, is_bot: true, first_name: "MyBot", username: "MyBot" },
        chat: BASIC_GROUP,
        date: DATE,
        text: "Pick one",
      },
      chat_instance: "-7283617254383720581",
      data: "vote:yes",
    },
  },
  shipping_query: {
    update_id: 600000016,
    shipping_query: {
      id: "sq-1",
      from: ALICE,
      invoice_payload: "order-77",
      shipping_address: {
        country_code: "FR",
        state: "",
        city: "Paris",
        street_line1: "1 Rue de Rivoli",
        street_line2: "",
        post_code: "75001",
      },
    },
  },
  pre_checkout_query: {
    update_id: 600000017,
    pre_checkout_query: {
      id: "pcq-1",
      from: ALICE,
      currency: "XTR",
      total_amount: 50,
      invoice_payload: "order-77",
    },
  },
  purchased_paid_media: {
    update_id: 600000018,
    purchased_paid_media: { from: BOB, paid_media_payload: "album-3" },
  },
  poll: {
    update_id: 600000019,
    poll: {
      id: "5377643193141559299",
      question: "Lunch?",
      options: [
        { text: "Pizza", voter_count: 3 },
        { text: "Sushi", voter_count: 5 },
      ],
      total_voter_count: 8,
      is_closed: true,
      is_anonymous: true,
      type: "regular",
      allows_multiple_answers: false,
    },
  },
  poll_answer: {
    update_id: 600000020,
    poll_answer: {
      poll_id: "5377643193141559299",
      user: ALICE,
      option_ids: [1],
      option_persistent_ids: ["p1"],
    },
  },
  my_chat_member: {
    update_id: 600000021,
    my_chat_member: {
      chat: SUPERGROUP,
      from: ALICE,
      date: DATE,
      old_chat_member: { status: "left", user: MANAGED_BOT },
      new_chat_member: { status: "member", user: MANAGED_BOT },
    },
  },
  chat_member: {
    update_id: 600000022,
    chat_member: {
      chat: SUPERGROUP,
      from: ALICE,
      date: DATE,
      old_chat_member: { status: "member", user: BOB },
      new_chat_member: { status: "kicked", user: BOB, until_date: 0 },
    },
  },
  chat_join_request: {
    update_id: 600000023,
    chat_join_request: {
      chat: SUPERGROUP,
      from: BOB,
      user_chat_id: 987654321,
      date: DATE,
      bio: "Hi there",
    },
  },
  chat_boost: {
    update_id: 600000024,
    chat_boost: {
      chat: CHANNEL,
      boost: {
        boost_id: "boost-1",
        add_date: DATE,
        expiration_date: DATE + 86400 * 30,
        source: { source: "premium", user: BOB },
      },
    },
  },
  removed_chat_boost: {
    update_id: 600000025,
    removed_chat_boost: {
      chat: CHANNEL,
      boost_id: "boost-1",
      remove_date: DATE + 86400,
      source: { source: "premium", user: BOB },
    },
  },
  managed_bot: {
    update_id: 600000026,
    managed_bot: { user: ALICE, bot: MANAGED_BOT },
  },
  subscription: {
    update_id: 600000027,
    subscription: { user: BOB, invoice_payload: "pro-monthly", state: "canceled" },
  },

  // Edge cases.
  anonymous_admin_message: {
    update_id: 600000100,
    message: {
      message_id: 14,
      from: GROUP_ANONYMOUS_BOT,
      sender_chat: SUPERGROUP,
      chat: SUPERGROUP,
      date: DATE,
      text: "Pinned the rules",
      author_signature: "Admin",
    },
  },
  channel_in_group_message: {
    update_id: 600000101,
    message: {
      message_id: 15,
      from: CHANNEL_BOT,
      sender_chat: CHANNEL,
      chat: SUPERGROUP,
      date: DATE,
      text: "Posted as the channel",
    },
  },
  callback_query_inline: {
    update_id: 600000102,
    callback_query: {
      id: "4382bfdwdsb323b2e0",
      from: ALICE,
      inline_message_id: "AgAAAB7xAQBh4zP1",
      chat_instance: "-1133462498764329456",
      data: "like",
    },
  },
  command_with_target: {
    update_id: 600000103,
    message: {
      message_id: 16,
      from: BOB,
      chat: SUPERGROUP,
      date: DATE,
      text: "/start@MyBot payload",
      entities: [{ type: "bot_command", offset: 0, length: 12 }],
    },
  },
  photo_with_caption: {
    update_id: 600000104,
    message: {
      message_id: 17,
      from: ALICE,
      chat: BASIC_GROUP,
      date: DATE,
      photo: PHOTO,
      caption: "Look at this",
    },
  },
  business_message_same_chat: {
    update_id: 600000105,
    business_message: {
      message_id: 71,
      business_connection_id: BUSINESS_CONNECTION_ID,
      from: ALICE,
      chat: PRIVATE_CHAT,
      date: DATE,
      text: "hello",
    },
  },
  business_callback_query: {
    update_id: 600000106,
    callback_query: {
      id: "4382bfdwdsb323b2e1",
      from: ALICE,
      message: {
        message_id: 72,
        business_connection_id: BUSINESS_CONNECTION_ID,
        chat: PRIVATE_CHAT,
        date: DATE,
        text: "Choose a time",
      },
      chat_instance: "-55512345",
      data: "slot:10",
    },
  },
  anonymous_reaction: {
    update_id: 600000107,
    message_reaction: {
      chat: SUPERGROUP,
      message_id: 12,
      actor_chat: SUPERGROUP,
      date: DATE,
      old_reaction: [],
      new_reaction: [{ type: "emoji", emoji: "❤" }],
    },
  },
  anonymous_poll_answer: {
    update_id: 600000108,
    poll_answer: {
      poll_id: "5377643193141559300",
      voter_chat: CHANNEL,
      option_ids: [0, 2],
      option_persistent_ids: ["p0", "p2"],
    },
  },
  photo: {
    update_id: 600000109,
    message: { message_id: 18, from: ALICE, chat: PRIVATE_CHAT, date: DATE, photo: PHOTO },
  },
  sticker: {
    update_id: 600000110,
    message: {
      message_id: 19,
      from: BOB,
      chat: BOB_CHAT,
      date: DATE,
      sticker: {
        file_id: "CAACAgIAAxk",
        file_unique_id: "AgADsticker",
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
      },
    },
  },
};
