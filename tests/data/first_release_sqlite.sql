CREATE TABLE classes (
	id INTEGER NOT NULL, 
	name VARCHAR(40) NOT NULL, 
	timezone VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);

CREATE TABLE inbound_messages (
	id INTEGER NOT NULL, 
	channel VARCHAR(20) NOT NULL, 
	chat_id VARCHAR(128) NOT NULL, 
	message_id VARCHAR(128) NOT NULL, 
	received_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (channel, chat_id, message_id)
);

CREATE TABLE people (
	id INTEGER NOT NULL, 
	display_name VARCHAR(60) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE group_bindings (
	id INTEGER NOT NULL, 
	class_id INTEGER NOT NULL, 
	channel VARCHAR(20) NOT NULL, 
	chat_id VARCHAR(128) NOT NULL, 
	title VARCHAR(128) NOT NULL, 
	bound_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (channel, chat_id), 
	FOREIGN KEY(class_id) REFERENCES classes (id)
);

CREATE INDEX ix_group_bindings_class_id ON group_bindings (class_id);

CREATE TABLE identities (
	id INTEGER NOT NULL, 
	channel VARCHAR(20) NOT NULL, 
	external_id VARCHAR(128) NOT NULL, 
	display_name VARCHAR(128) NOT NULL, 
	person_id INTEGER, 
	private_chat_id VARCHAR(128), 
	private_reachable BOOLEAN NOT NULL, 
	last_seen_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (channel, external_id), 
	FOREIGN KEY(person_id) REFERENCES people (id)
);

CREATE INDEX ix_identities_person_id ON identities (person_id);

CREATE TABLE notices (
	id INTEGER NOT NULL, 
	class_id INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	title VARCHAR(100) NOT NULL, 
	body TEXT NOT NULL, 
	urgent BOOLEAN NOT NULL, 
	author_id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	publish_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (class_id, number), 
	FOREIGN KEY(class_id) REFERENCES classes (id), 
	FOREIGN KEY(author_id) REFERENCES people (id)
);

CREATE INDEX ix_notices_class_id ON notices (class_id);

CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	dedupe_key VARCHAR(200) NOT NULL, 
	channel VARCHAR(20) NOT NULL, 
	chat_id VARCHAR(128) NOT NULL, 
	chat_kind VARCHAR(10) NOT NULL, 
	chat_title VARCHAR(128) NOT NULL, 
	text TEXT NOT NULL, 
	mentions JSON NOT NULL, 
	buttons JSON NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	urgent BOOLEAN NOT NULL, 
	class_id INTEGER, 
	ref_kind VARCHAR(20), 
	ref_id INTEGER, 
	status VARCHAR(10) NOT NULL, 
	not_before DATETIME NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error VARCHAR(200), 
	sent_message_id VARCHAR(128), 
	created_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (dedupe_key), 
	FOREIGN KEY(class_id) REFERENCES classes (id)
);

CREATE INDEX ix_outbox_due ON outbox (status, not_before);

CREATE INDEX ix_outbox_sent_ref ON outbox (channel, chat_id, sent_message_id);

CREATE TABLE scheduled_jobs (
	id INTEGER NOT NULL, 
	dedupe_key VARCHAR(200) NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	ref_id INTEGER, 
	class_id INTEGER, 
	due_at DATETIME NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	payload JSON NOT NULL, 
	claimed_by VARCHAR(64), 
	claimed_at DATETIME, 
	finished_at DATETIME, 
	last_error VARCHAR(200), 
	PRIMARY KEY (id), 
	UNIQUE (dedupe_key), 
	FOREIGN KEY(class_id) REFERENCES classes (id)
);

CREATE INDEX ix_jobs_due ON scheduled_jobs (status, due_at);

CREATE TABLE students (
	id INTEGER NOT NULL, 
	class_id INTEGER NOT NULL, 
	name VARCHAR(40) NOT NULL, 
	on_roster BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (class_id, name), 
	FOREIGN KEY(class_id) REFERENCES classes (id)
);

CREATE INDEX ix_students_class_id ON students (class_id);

CREATE TABLE memberships (
	id INTEGER NOT NULL, 
	class_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	role VARCHAR(20) NOT NULL, 
	student_id INTEGER, 
	relation VARCHAR(10), 
	subject VARCHAR(20), 
	committee BOOLEAN NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(class_id) REFERENCES classes (id), 
	FOREIGN KEY(person_id) REFERENCES people (id), 
	FOREIGN KEY(student_id) REFERENCES students (id)
);

CREATE INDEX ix_memberships_class_id ON memberships (class_id);

CREATE INDEX ix_memberships_person_id ON memberships (person_id);

CREATE INDEX ix_memberships_student_id ON memberships (student_id);

CREATE TABLE notice_acks (
	id INTEGER NOT NULL, 
	notice_id INTEGER NOT NULL, 
	student_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	via VARCHAR(20) NOT NULL, 
	acked_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (notice_id, student_id), 
	FOREIGN KEY(notice_id) REFERENCES notices (id), 
	FOREIGN KEY(student_id) REFERENCES students (id), 
	FOREIGN KEY(person_id) REFERENCES people (id)
);

CREATE INDEX ix_notice_acks_notice_id ON notice_acks (notice_id);
