import Type, { type Static } from 'typebox';

// Identity API. v1 shapes never change; /api/v2 adds fields (see UserV2).

export const Role = Type.Union([Type.Literal('customer'), Type.Literal('admin')]);

export const Preferences = Type.Object(
  {
    notifications: Type.Optional(
      Type.Object(
        {
          email: Type.Optional(Type.Boolean()),
          sms: Type.Optional(Type.Boolean()),
          push: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Another user, as v1 shows it: no email, no dates. Pinned by a test. */
export const UserV1 = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  roles: Type.Array(Role),
});
export type UserV1 = Static<typeof UserV1>;

/** v2 adds the email and the creation date. */
export const UserV2 = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  roles: Type.Array(Role),
  email: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type UserV2 = Static<typeof UserV2>;

/** The caller's own account. */
export const Me = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Role),
  preferences: Preferences,
  createdAt: Type.String({ format: 'date-time' }),
});
export type Me = Static<typeof Me>;

export const Session = Type.Object({
  user: Me,
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
});
export type Session = Static<typeof Session>;

export const RegisterBody = Type.Object(
  {
    // Surrounding spaces are allowed here: the service trims and lower-cases the address.
    email: Type.String({ pattern: '^\\s*[^\\s@]+@[^\\s@]+\\.[^\\s@]+\\s*$', maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1_024 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export const LoginBody = Type.Object(
  { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1_024 }) },
  { additionalProperties: false },
);
export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
/** Only name and preferences: `role`, `email` or `id` in the body is a 400. */
export const ProfilePatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    preferences: Type.Optional(Preferences),
  },
  { additionalProperties: false },
);
export const ClientCredentialsBody = Type.Object(
  {
    grant_type: Type.Literal('client_credentials'),
    client_id: Type.String({ maxLength: 100 }),
    client_secret: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);
export const ServiceToken = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
});

/** What a key rotation planned: the new key, published now, signing from `signsFrom`. */
export const KeyRotation = Type.Object({
  kid: Type.String({ description: 'the JWK thumbprint of the new key, as tokens will name it' }),
  signsFrom: Type.String({ format: 'date-time', description: 'when the new key starts signing' }),
});
export type KeyRotation = Static<typeof KeyRotation>;
