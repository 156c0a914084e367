CREATE TABLE "session_seats" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"confirmed" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "session_seats" ADD CONSTRAINT "session_seats_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
INSERT INTO "session_seats" ("session_id", "confirmed")
  SELECT rs."session_id", count(*) FROM "registration_sessions" rs JOIN "registrations" r ON r."id" = rs."registration_id"
  WHERE r."status" = 'confirmed' GROUP BY rs."session_id";
--> statement-breakpoint
-- Adds `change` to each session's confirmed seats; nothing to count once a session itself is gone.
CREATE FUNCTION "add_session_seats"(session_ids uuid[], change integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO session_seats AS s (session_id, confirmed)
    SELECT id, change FROM sessions WHERE id = ANY(session_ids)
    ON CONFLICT (session_id) DO UPDATE SET confirmed = s.confirmed + change;
$$;
--> statement-breakpoint
-- A choice made or dropped by a confirmed registration takes or gives back a seat.
CREATE FUNCTION "choice_seats_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM registrations r WHERE r.id = OLD.registration_id AND r.status = 'confirmed') THEN
    PERFORM add_session_seats(array[OLD.session_id], -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (SELECT 1 FROM registrations r WHERE r.id = NEW.registration_id AND r.status = 'confirmed') THEN
    PERFORM add_session_seats(array[NEW.session_id], 1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "choice_seats_changed" AFTER INSERT OR DELETE OR UPDATE ON "registration_sessions"
  FOR EACH ROW EXECUTE FUNCTION "choice_seats_changed"();
--> statement-breakpoint
-- A registration entering or leaving `confirmed` takes or gives back a seat in each session it chose.
CREATE FUNCTION "registration_seats_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM add_session_seats(array(SELECT session_id FROM registration_sessions WHERE registration_id = NEW.id),
    CASE WHEN NEW.status = 'confirmed' THEN 1 ELSE -1 END);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "registration_seats_changed" AFTER UPDATE OF "status" ON "registrations"
  FOR EACH ROW WHEN ((OLD.status = 'confirmed') IS DISTINCT FROM (NEW.status = 'confirmed')) EXECUTE FUNCTION "registration_seats_changed"();
--> statement-breakpoint
-- A confirmed registration deleted gives back its seats before its choices go with it (by the cascade,
-- which then finds no confirmed registration behind them and counts nothing twice).
CREATE FUNCTION "registration_seats_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM add_session_seats(array(SELECT session_id FROM registration_sessions WHERE registration_id = OLD.id), -1);
  RETURN OLD;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "registration_seats_deleted" BEFORE DELETE ON "registrations"
  FOR EACH ROW WHEN (OLD.status = 'confirmed') EXECUTE FUNCTION "registration_seats_deleted"();
